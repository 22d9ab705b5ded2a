/**
 * Applying a saved model to data (evaluate, predict): {@link org.descent.job.score.ScoringInput} reads the data
 * with the model's saved training config (overridable), checks it fits the model and applies the model's scaler;
 * {@link org.descent.job.score.Scorer} computes full metrics in one distributed pass and the prediction rows.
 */
package org.descent.job.score;
