package org.descent.job.exchange;

import java.io.Serializable;

/**
 * What one task of an allreduce segment returns. Every rank returns its rank, the epoch it ended in, the steps it
 * completed in that epoch and a hash of its final parameters (the driver checks that all ranks agree: they must hold
 * the same bits). Rank 0 also returns the parameters, the optimizer state and the figures of the last epoch's steps
 * (those of earlier epochs of the segment were streamed, {@link EpochEndRecord}). A plain class (Kryo
 * cannot serialise records).
 */
final class SegmentResult implements Serializable {
    private static final long serialVersionUID = 4L;

    final int rank;
    /** The epoch the segment ended in (its last, or the one of a failed step); set by {@link SegmentTask}. */
    int epoch;
    /** Steps completed in {@link #epoch}. */
    final int steps;
    final long paramsHash;
    /** The ranks exchanged through memory ({@link LocalHub}) rather than TCP. */
    boolean inJvm;
    /** Executor JVMs of a hierarchical exchange (0: flat, or in-JVM). */
    int nodes;
    /** What this rank's collectives moved in the segment (the driver logs rank 0's, {@link ExchangeTraffic}). */
    ExchangeTraffic traffic;
    /** Rank 0 only (null elsewhere): {@link DoubleBytes} of the parameters and {@code Optimizer.saveState()}. */
    byte[] params;
    byte[] optimizerState;
    /** Rank 0 only: {@link StepFigures#encode} of the steps of {@link #epoch}, in order. */
    byte[] figures;

    SegmentResult(int rank, int steps, long paramsHash) {
        this.rank = rank;
        this.steps = steps;
        this.paramsHash = paramsHash;
    }

    /** Order-sensitive hash of the raw bits (a cheap equality check between ranks, not a checksum for storage). */
    static long hash(double[] a) {
        long h = 1125899906842597L;
        for (double v : a) h = 31 * h + Double.doubleToRawLongBits(v);
        return h;
    }
}
