package org.descent.job.exchange;

/**
 * How one synchronous step's gradient is computed on the partitions and reaches the driver. Call
 * order: construct for a cached block RDD and a {@link BatchPlan}, then
 * {@link #computeAndAggregate} once per step in (epoch, step) order, then {@link #close()} (frees
 * executor-side buffers). Implementations must be deterministic: the same parameters, epoch and step
 * give a bit-identical result.
 */
public interface GradientExchange extends AutoCloseable {

    /**
     * Writes the gradient sum of step {@code step} of epoch {@code epoch} at {@code params} into {@code gradSum}
     * (the parameter layout) and returns the step's rows, loss sum and times ({@link StepFigures#summed}).
     */
    StepFigures computeAndAggregate(double[] params, int epoch, int step, double[] gradSum);

    /**
     * After {@link #computeAndAggregate}: the ascending rows of the first block ({@code W_1}, features x outputs at
     * offset 0) outside which the summed gradient is exactly +0.0 (the union of a sparse step's touched rows), or null
     * when the sum is dense. Valid until the next step.
     */
    default int[] touchedRows() {
        return null;
    }

    /** How many of {@link #touchedRows} are valid. */
    default int touchedCount() {
        return 0;
    }

    @Override
    void close();
}
