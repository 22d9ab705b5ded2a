package org.descent.job.exchange;

import java.io.Serializable;

/**
 * One partition's contribution to a step (serialised back to the driver). A plain class rather than
 * a record: Kryo (spark.serializer) cannot serialise records.
 */
final class PartialGradient implements Serializable {
    private static final long serialVersionUID = 1L;

    final int partition;
    final double[] gradSum;
    final double lossSum;
    final int rows;
    final long[] ids;
    /** Executor time for gather + gradient, and for obtaining the broadcast parameters (ns). */
    final long computeNanos;
    final long fetchNanos;

    PartialGradient(int partition, double[] gradSum, double lossSum, int rows, long[] ids, long computeNanos,
                    long fetchNanos) {
        this.partition = partition;
        this.gradSum = gradSum;
        this.lossSum = lossSum;
        this.rows = rows;
        this.ids = ids;
        this.computeNanos = computeNanos;
        this.fetchNanos = fetchNanos;
    }
}
