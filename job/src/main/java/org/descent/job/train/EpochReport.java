package org.descent.job.train;

/**
 * One epoch's figures. {@code trainLoss} is the row-weighted mean over the epoch's steps of the step
 * loss (data loss at the step's parameters plus the regularisation penalty); validation figures are
 * NaN without a validation set; {@code validationMetric} is accuracy (classifiers) or RMSE (regression).
 */
public record EpochReport(int epoch, int epochs, double trainLoss, double validationLoss, double validationMetric,
                          String metricName, double seconds, double rowsPerSecond, double lastLearningRate,
                          double lastGradNorm) {

    /** The console line. */
    public String line() {
        String v = Double.isNaN(validationLoss) ? "" : String.format(java.util.Locale.ROOT,
                "  val loss %.5f  val %s %.4f", validationLoss, metricName, validationMetric);
        return String.format(java.util.Locale.ROOT, "epoch %d/%d  train loss %.5f%s  time %.1fs  %.0f rows/s  lr %.4g",
                epoch + 1, epochs, trainLoss, v, seconds, rowsPerSecond, lastLearningRate);
    }
}
