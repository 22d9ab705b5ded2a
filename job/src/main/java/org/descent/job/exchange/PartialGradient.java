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
    /**
     * {@code > 0}: {@code gradSum} is a {@link org.descent.math.sparse.RowSparseGradient} of a first layer with
     * {@code sparseFeatures x sparseOutputs} weights (touched rows + dense tail); 0: dense {@link DoubleBytes}.
     */
    final int sparseFeatures;
    final int sparseOutputs;
    /**
     * Sparse blocks on broadcast-collect: the sorted distinct features the partition's next step
     * ({@code nextKey = {epoch, step}}) reads, so the driver can broadcast only those rows; null = unknown (dense
     * block, or after the run's last step): the driver then broadcasts the whole vector.
     */
    int[] nextRows;
    final int[] nextKey = {-1, -1};

    PartialGradient(int partition, byte[] gradSum, double lossSum, int rows, long computeNanos,
                    long fetchNanos) {
        this(partition, gradSum, lossSum, rows, computeNanos, fetchNanos, 0, 0);
    }

    PartialGradient(int partition, byte[] gradSum, double lossSum, int rows, long computeNanos,
                    long fetchNanos, int sparseFeatures, int sparseOutputs) {
        this.sparseFeatures = sparseFeatures;
        this.sparseOutputs = sparseOutputs;
        this.partition = partition;
        this.gradSum = gradSum;
        this.lossSum = lossSum;
        this.rows = rows;
        this.computeNanos = computeNanos;
        this.fetchNanos = fetchNanos;
    }
}
