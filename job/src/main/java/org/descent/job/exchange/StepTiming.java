package org.descent.job.exchange;

/**
 * Where one synchronous step's time went, in nanoseconds.
 *
 * <ul>
 *   <li>{@code wallNanos}: driver wall time of {@link GradientExchange#computeAndAggregate}, from before the
 *       parameter broadcast to after the driver-side sum;</li>
 *   <li>{@code computeMaxNanos} / {@code computeSumNanos}: max and sum over the step's tasks of the time
 *       inside the task spent gathering the slice and computing its gradient ({@code System.nanoTime} on
 *       the executor). The max is the critical path of the step's compute;</li>
 *   <li>{@code fetchMaxNanos}: max over tasks of the time the task took to obtain the broadcast parameters
 *       ({@code Broadcast.value()}: fetch and deserialise, or a local lookup);</li>
 *   <li>{@code driverSumNanos}: driver time adding the P partials in partition order;</li>
 *   <li>{@code tasks}: number of partials (partitions);</li>
 *   <li>{@code updateNanos}: the optimizer step (regularisation, clipping, update) after the sum: on the driver
 *       for broadcast-collect, inside every task for allreduce. Not part of {@code wallNanos}.</li>
 * </ul>
 * {@link #exchangeNanos()} = {@code wallNanos - computeMaxNanos}: everything that is not the slowest task's
 * compute — broadcast, job and task scheduling, task (de)serialisation, result transfer and the driver sum.
 * Invariants: {@code 0 <= computeMaxNanos <= computeSumNanos <= tasks * computeMaxNanos} and
 * {@code computeMaxNanos + driverSumNanos <= wallNanos} (the executors' clock is the driver's in local mode;
 * on a cluster the task-side figures are durations on one executor's clock, so they are still comparable).
 * For the allreduce engine {@code wallNanos} is rank 0's compute + exchange time of the step, but at least the
 * slowest task's compute (another task can start a step before rank 0 does), and {@code driverSumNanos} is 0.
 */
public record StepTiming(long wallNanos, long computeMaxNanos, long computeSumNanos, long fetchMaxNanos,
                         long driverSumNanos, int tasks, long updateNanos) {

    /** No figures (an exchange that does not measure). */
    public static final StepTiming NONE = new StepTiming(0, 0, 0, 0, 0, 0, 0);

    /** This timing with the update time set. */
    public StepTiming withUpdate(long nanos) {
        return new StepTiming(wallNanos, computeMaxNanos, computeSumNanos, fetchMaxNanos, driverSumNanos, tasks, nanos);
    }

    /** Exchange and scheduling overhead: step wall time minus the slowest task's compute. */
    public long exchangeNanos() {
        return wallNanos - computeMaxNanos;
    }
}
