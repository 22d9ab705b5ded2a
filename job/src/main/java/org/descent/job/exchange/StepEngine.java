package org.descent.job.exchange;

import org.descent.math.optim.Optimizer;

/**
 * Runs the training steps of an epoch: computes each step's summed gradient on the partitions, applies the
 * optimizer step ({@link org.descent.math.optim.MiniBatchUpdate}) and reports every step to a {@link StepSink}.
 * Two engines ({@code training.exchange}): {@link DriverStepEngine} (one Spark job per step, the driver sums and
 * updates) and {@link AllReduceEngine} (one Spark barrier job per segment of steps; tasks exchange gradients
 * directly and every task applies the same update). Both produce the same bits for the same config, seed and
 * partition count.
 *
 * <p>Call order: {@link #segmentEnd} to learn how far one {@link #run} may go, {@link #run} (the driver's
 * {@code params} and {@code optimizer} are exact at its end), repeat; or, when {@link #spansEpochs} says so and the
 * driver needs the state at epoch ends only, one {@link #runEpochs} for all the epochs left; {@link #close()} at the
 * end of training.
 */
public interface StepEngine extends AutoCloseable {

    /** Engine name for logs, e.g. "allreduce". */
    String name();

    /**
     * The end (exclusive) of the segment that starts at step {@code from} of an epoch of {@code steps} steps, given
     * that the driver must hold the exact state after every step whose global count (epoch * steps + step + 1) is
     * a multiple of {@code stateEvery} (checkpoints; 0 = only at epoch ends).
     */
    int segmentEnd(int epoch, int from, int steps, long stateEvery);

    /**
     * Runs steps {@code [from, to)} of {@code epoch}, updating {@code params} and {@code optimizer} in place, and
     * passes every step to {@code sink} in order. If the sink throws (a diverged step), the run stops there.
     */
    void run(int epoch, int from, int to, double[] params, Optimizer optimizer, StepSink sink);

    /** Called on the driver at the end of every epoch of a {@link #runEpochs} run. */
    @FunctionalInterface
    interface EpochEnd {
        /**
         * Epoch {@code epoch}'s steps are done and the driver's {@code params} and {@code optimizer} hold the state
         * after its last step (validate, report, checkpoint here); returns false to stop the run (early stopping).
         */
        boolean ended(int epoch);
    }

    /** True if {@link #runEpochs} can run several epochs without the driver between them for this state's size. */
    default boolean spansEpochs(double[] params, Optimizer optimizer) {
        return false;
    }

    /**
     * Runs from step {@code from} of {@code epoch} to the end of epoch {@code epochs - 1}, updating {@code params} and
     * {@code optimizer}, passing every step to {@code sink} and, after each epoch, setting them to the epoch's end
     * state and calling {@code end}; stops after the epoch whose {@code end} returns false. The same bits as epoch by
     * epoch {@link #run} calls. Only when {@link #spansEpochs} said true.
     */
    default void runEpochs(int epoch, int from, int epochs, double[] params, Optimizer optimizer, StepSink sink,
                           EpochEnd end) {
        throw new UnsupportedOperationException(name() + " runs one segment at a time");
    }

    @Override
    void close();
}
