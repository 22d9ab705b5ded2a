package org.descent.job.train;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One epoch's figures, as the console, the run directory and checkpoints keep them. {@code trainLoss} is the
 * row-weighted mean over the epoch's steps of the step loss (data loss at the step's parameters plus the
 * regularisation penalty); validation figures are NaN without a validation set; {@code validationMetric} is accuracy
 * (classifiers) or RMSE (regression); {@code metrics} holds trainLoss and every validation figure
 * ({@code validationLoss}, {@code validationAccuracy}, ...).
 *
 * <p>Time: {@code seconds} is the epoch's wall time = {@code trainSeconds} (its steps, including job launches,
 * and for the first epoch of a process the engine's start) + {@code validationSeconds} (the validation pass);
 * {@code rowsPerSecond} = rows / trainSeconds. {@code finishedAt} is when the epoch's report was made and
 * {@code elapsedSeconds} the run's time until then, counted across resumed processes.
 */
public record EpochReport(int epoch, int epochs, double trainLoss, double validationLoss, double validationMetric,
                          String metricName, double seconds, double trainSeconds, double validationSeconds,
                          double rowsPerSecond, double lastLearningRate, double lastGradNorm,
                          Map<String, Double> metrics, Instant finishedAt, double elapsedSeconds) {

    public EpochReport {
        metrics = Map.copyOf(new TreeMap<>(metrics));
    }

    /** The console line, e.g. {@code epoch 2/10  train loss 0.41  val loss 0.44  val accuracy 0.8700  time 3.2s
     *  (train 2.9s + val 0.3s)  20000 rows/s  lr 0.01}. */
    public String line() {
        boolean val = !Double.isNaN(validationLoss);
        String v = val ? String.format(Locale.ROOT, "  val loss %.5f  val %s %.4f", validationLoss, metricName,
                validationMetric) : "";
        String split = val ? String.format(Locale.ROOT, " (train %.1fs + val %.1fs)", trainSeconds, validationSeconds)
                : "";
        return String.format(Locale.ROOT, "epoch %d/%d  train loss %.5f%s  time %.1fs%s  %.0f rows/s  lr %.4g",
                epoch + 1, epochs, trainLoss, v, seconds, split, rowsPerSecond, lastLearningRate);
    }
}
