package org.descent.job.exchange;

import java.io.Serializable;

/**
 * One partition's contribution to a step (serialised back to the driver). The gradient sum travels as
 * {@link DoubleBytes} ({@code null} when the partition contributed no rows), not as a {@code double[]}:
 * Java serialisation of a byte[] is a bulk copy. A plain class rather than a record: Kryo
 * (spark.serializer) cannot serialise records.
 */
final class PartialGradient implements Serializable {
    private static final long serialVersionUID = 3L;

    final int partition;
    /** {@link DoubleBytes} of the gradient sum over the partition's rows of the step; null if {@code rows == 0}. */
    final byte[] gradSum;
    final double lossSum;
    final int rows;
    /** Executor time for gather + gradient, and for obtaining the broadcast parameters (ns). */
    final long computeNanos;
    final long fetchNanos;

    PartialGradient(int partition, byte[] gradSum, double lossSum, int rows, long computeNanos,
                    long fetchNanos) {
        this.partition = partition;
        this.gradSum = gradSum;
        this.lossSum = lossSum;
        this.rows = rows;
        this.computeNanos = computeNanos;
        this.fetchNanos = fetchNanos;
    }
}
