package org.descent.job.exchange;

/**
 * How one synchronous step's gradient is computed on the partitions and reaches the driver. Call
 * order: construct for a cached block RDD and a {@link BatchPlan}, then
 * {@link #computeAndAggregate} once per step in (epoch, step) order, then {@link #close()} (frees
 * executor-side buffers). Implementations must be deterministic: the same parameters, epoch and step
 * give a bit-identical result.
 */
public interface GradientExchange extends AutoCloseable {

    /** Gradient sum, loss sum and row count of step {@code step} of epoch {@code epoch} at {@code params}. */
    StepResult computeAndAggregate(double[] params, int epoch, int step);

    @Override
    void close();
}
