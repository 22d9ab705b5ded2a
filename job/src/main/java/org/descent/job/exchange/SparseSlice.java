package org.descent.job.exchange;

import org.descent.job.data.BatchReader;
import org.descent.job.data.RowBlock;
import org.descent.math.nn.Network;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.sparse.RowSparseGradient;

/**
 * A partition's step on a SPARSE block: the step's rows gathered by a {@link BatchReader}, the distinct features
 * they hold (the rows of {@code W_1} the step reads and whose gradient it writes), and the parts of the
 * parameter/gradient buffers that go with them, so that nothing per step costs O(parameters) on the executor:
 * <ul>
 *   <li>{@link #readParams}: only the touched rows of {@code W_1} and the dense tail are decoded from the
 *       broadcast parameters (the other rows are never read by this step);</li>
 *   <li>{@link #gradient}: the gradient buffer is kept all-zero between steps by clearing exactly what the
 *       previous step wrote (touched rows + tail), then the step adds into it;</li>
 *   <li>{@link #encode}: the partial leaves as {@link RowSparseGradient} (touched rows + tail) when that is smaller
 *       than the dense vector, else null (the caller sends it dense). Merged on the driver in partition order it
 *       gives the same bits as the dense partials.</li>
 * </ul>
 * Call order per step: {@link #gather}, then {@link #readParams} (broadcast-collect engine only), {@link #gradient},
 * {@link #encode} (broadcast-collect only). Not thread-safe (one per partition State).
 */
final class SparseSlice {
    private final BatchReader reader;
    private final int d;
    private final int k;
    private final boolean[] mark;
    private final int[] rows;
    private int touched;
    private int previous = -1;
    private final int[] previousRows;

    SparseSlice(Network network, int maxRows) {
        ParameterLayout.Segment w1 = network.layout().weight(0);
        if (w1.offset() != 0) {
            throw new IllegalStateException("a sparse input needs the first layer's weights at offset 0, not " + w1.offset());
        }
        this.d = w1.rows();
        this.k = w1.cols();
        this.reader = new BatchReader(maxRows, d);
        this.mark = new boolean[d];
        this.rows = new int[d];
        this.previousRows = new int[d];
    }

    /** Rows {@code perm[start .. start + m)} of the block and their distinct features. */
    void gather(RowBlock block, int[] perm, int start, int m) {
        reader.gather(block, perm, start, m);
        touched = RowSparseGradient.touchedRows(reader.sparse(), mark, rows);
    }

    /** The parameters this step reads, from the broadcast little-endian bytes of all of them. */
    void readParams(byte[] encoded, double[] params) {
        RowSparseGradient.readRows(encoded, params, d, k, rows, touched);
    }

    /** Zeroes what the previous step wrote into {@code grad}, then adds this step's gradient sum; returns the loss sum. */
    double gradient(Network network, double[] params, double[] grad, Network.Workspace ws) {
        if (previous >= 0) RowSparseGradient.clear(grad, d, k, previousRows, previous);
        System.arraycopy(rows, 0, previousRows, 0, touched);
        previous = touched;
        return reader.lossAndGradientSum(network, params, grad, ws);
    }

    /** The partial as touched rows + tail, or null when the dense vector is smaller. */
    byte[] encode(double[] grad) {
        if (RowSparseGradient.sparseBytes(touched, d, k, grad.length) >= 8L * grad.length) return null;
        return RowSparseGradient.encode(grad, d, k, rows, touched);
    }

    int features() {
        return d;
    }

    int outputs() {
        return k;
    }
}
