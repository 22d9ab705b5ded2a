package org.descent.job.exchange;

import java.util.List;
import org.descent.math.optim.Optimizer;

/**
 * Driver side of one {@link AllReduceEngine} run from step {@code from} of epoch {@code epoch} to step {@code to} of
 * epoch {@code lastEpoch}, over one or more segment attempts: what has been delivered so far, so that every step
 * reaches the {@link StepSink} and every epoch end reaches the {@link StepEngine.EpochEnd} exactly once and in order,
 * although a re-run after a failure streams steps again.
 *
 * <p>Call order: per attempt {@link #startAttempt} (its start is {@link #nextEpoch}/{@link #nextStep}: the segment's
 * start, or the state after the last epoch end delivered, which the driver's parameters and optimizer hold), then
 * {@link #accept} for each streamed record, then {@link #finish} with rank 0's result when the job succeeded.
 * {@link #stopped()} turns true once the epoch-end callback asks to stop (the engine then cancels the job).
 */
final class EpochSpan {
    private final int stepsPerEpoch;
    private final int epoch;
    private final int from;
    private final int lastEpoch;
    private final int to;
    private final double[] params;
    private final Optimizer optimizer;
    private final StepSink sink;
    private final StepEngine.EpochEnd end;
    /** Global index (epoch * S + step) of the next step to deliver. */
    private long nextGlobal;
    /** The epoch whose end is delivered next. */
    private int nextEnd;
    private boolean stopped;
    /** The running attempt: its segment id, and the epoch and first step of what its stream sends next. */
    private int segment = -1;
    private int streamEpoch;
    private int streamFrom;
    private boolean streamEnded;

    /** @param end the epoch-end callback (null: the driver does its own epoch ends; then {@code lastEpoch == epoch}) */
    EpochSpan(int stepsPerEpoch, int epoch, int from, int lastEpoch, int to, double[] params, Optimizer optimizer,
              StepSink sink, StepEngine.EpochEnd end) {
        this.stepsPerEpoch = stepsPerEpoch;
        this.epoch = epoch;
        this.from = from;
        this.lastEpoch = lastEpoch;
        this.to = to;
        this.params = params;
        this.optimizer = optimizer;
        this.sink = sink;
        this.end = end;
        this.nextGlobal = (long) epoch * stepsPerEpoch + from;
        this.nextEnd = epoch;
    }

    /** The epoch the next attempt starts in. */
    int nextEpoch() {
        return nextEnd;
    }

    /**
     * The step the next attempt starts at: the run's first step, or 0 once an epoch end has been delivered (the
     * driver's state is that of the segment's start or of the last epoch end, whatever steps were streamed since).
     */
    int nextStep() {
        return nextEnd == epoch ? from : 0;
    }

    int lastEpoch() {
        return lastEpoch;
    }

    int to() {
        return to;
    }

    /** Grows with every epoch end delivered (a failed attempt that delivered one made progress). */
    int endsDelivered() {
        return nextEnd;
    }

    /** True once an epoch end has been delivered: attempts now start from the driver's newer state. */
    boolean moved() {
        return nextEnd != epoch;
    }

    boolean stopped() {
        return stopped;
    }

    /** A new attempt, segment id {@code seg}, starting at {@link #nextEpoch}/{@link #nextStep}. */
    void startAttempt(int seg) {
        segment = seg;
        streamEpoch = nextEnd;
        streamFrom = nextStep();
        streamEnded = false;
    }

    /** True once the running attempt's stream has ended ({@link Rendezvous.StreamEnd}). */
    boolean streamEnded() {
        return streamEnded;
    }

    /** One streamed record; records of other segments (older attempts) are ignored. */
    void accept(Rendezvous.Progress p) {
        if (p.segment() != segment || stopped) return;
        if (p instanceof Rendezvous.StepRecord r) {
            deliverStep(streamEpoch, streamFrom + r.k(), r.figures());
        } else if (p instanceof EpochEndRecord e) {
            if (e.epoch() != streamEpoch) {
                throw new IllegalStateException("allreduce segment " + segment + ": epoch " + (e.epoch() + 1)
                        + " ended while the stream was in epoch " + (streamEpoch + 1));
            }
            if (e.epoch() == nextEnd) endEpoch(e.epoch(), e::paramsInto, e::optimizerInto);
            streamEpoch++;
            streamFrom = 0;
        } else {
            streamEnded = true;
        }
    }

    /**
     * The job succeeded: delivers the last epoch's remaining steps from rank 0's result, takes its state and, if that
     * epoch is complete and has a callback, ends it. Throws if rank 0 stopped before {@link #to} without a failed
     * step (the sink throws on a failed one first).
     */
    void finish(SegmentResult first) {
        if (first.epoch != nextEnd) {
            throw new IllegalStateException("allreduce segment " + segment + " ended in epoch " + (first.epoch + 1)
                    + " but the driver has the ends of epochs up to " + nextEnd + " only");
        }
        int start = first.epoch == streamEpoch ? streamFrom : 0;
        List<StepFigures> figures = StepFigures.decode(first.figures);
        for (int k = 0; k < first.steps; k++) deliverStep(first.epoch, start + k, figures.get(k));
        int expected = (first.epoch == lastEpoch ? to : stepsPerEpoch) - start;
        if (first.steps != expected) {
            throw new IllegalStateException("allreduce segment " + segment + " stopped after " + first.steps + " of "
                    + expected + " steps of epoch " + (first.epoch + 1) + " without a failed step");
        }
        if (end != null && start + first.steps == stepsPerEpoch) {
            endEpoch(first.epoch, dst -> DoubleBytes.decode(first.params, dst), o -> o.restoreState(first.optimizerState));
        } else {
            DoubleBytes.decode(first.params, params);
            optimizer.restoreState(first.optimizerState);
        }
    }

    private void deliverStep(int epoch, int step, StepFigures f) {
        long t = (long) epoch * stepsPerEpoch + step;
        if (t != nextGlobal) return; // streamed already, by an earlier attempt or the stream
        sink.onStep(epoch, step, f);
        nextGlobal++;
    }

    /**
     * @param state          writes the epoch's parameters into the array it is given
     * @param optimizerState sets the optimizer it is given to the epoch's state
     */
    private void endEpoch(int epoch, java.util.function.Consumer<double[]> state,
                          java.util.function.Consumer<Optimizer> optimizerState) {
        if (nextGlobal != (long) (epoch + 1) * stepsPerEpoch) {
            throw new IllegalStateException("allreduce: the end of epoch " + (epoch + 1) + " arrived before its steps");
        }
        state.accept(params);
        optimizerState.accept(optimizer);
        nextEnd = epoch + 1;
        if (end != null && !end.ended(epoch)) stopped = true;
    }
}
