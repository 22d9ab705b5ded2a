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

    @Override
    void close();
}
