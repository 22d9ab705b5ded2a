/**
 * Applying a model to data: {@link org.descent.job.score.ScoringInput} reads data with a saved model's training
 * config (overridable), checks it fits the model and applies the model's scaler; {@link org.descent.job.score.Scorer}
 * is the one scoring path (validation after each epoch, evaluate, predict, the publish gate): full metrics
 * ({@link org.descent.job.score.ScoreMetrics}) in one distributed pass, and the prediction rows.
 */
package org.descent.job.score;
