package org.descent.job.data;

import org.descent.math.Matrix;
import org.descent.math.nn.Network;
import org.descent.math.nn.Targets;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FloatCsrMatrix;
import org.descent.math.sparse.SparseRows;

/**
 * Per-partition (per-thread) batch buffers over {@link RowBlock}s of either representation: {@link #load}
 * takes a contiguous row range (evaluation, scoring), {@link #gather} a permuted one (a training step);
 * the network calls then run on what was loaded, dense ({@link Matrix}) or sparse ({@link SparseRows}).
 *
 * <ul>
 *   <li>Dense: rows are copied into a column-major {@code maxRows x cols} buffer ({@link RowBlock#copyRows},
 *       {@link RowBlock#gatherRows}; float32-stored values widened exactly).</li>
 *   <li>Sparse: a contiguous range is a view on the block's own index and value arrays (only its
 *       {@code m + 1} row pointers are copied); a permuted range copies the rows' entries into buffers
 *       that grow to the largest batch seen. Nothing of size {@code maxRows x cols} is ever allocated.</li>
 * </ul>
 * Call order: {@link #load} or {@link #gather}, then any of {@link #lossAndGradientSum}, {@link #lossSum},
 * {@link #predict} (valid until the next load/gather). Not thread-safe.
 */
public final class BatchReader {
    private final int maxRows;
    private final int cols;
    private final double[] y;
    private double[] dense;
    private int[] ptr;
    private int[] idx = new int[0];
    private double[] dvals = new double[0];
    private float[] fvals = new float[0];
    private Matrix denseBatch;
    private SparseRows sparseBatch;
    private int rows;

    /** Buffers for batches of up to {@code maxRows} rows of {@code cols} features. */
    public BatchReader(int maxRows, int cols) {
        this.maxRows = Math.max(1, maxRows);
        this.cols = cols;
        this.y = new double[this.maxRows];
    }

    /** Rows {@code [start, start + m)} of {@code b}. */
    public void load(RowBlock b, int start, int m) {
        check(b, m);
        rows = m;
        System.arraycopy(b.labels, start, y, 0, m);
        if (b.isSparse()) {
            int[] p = pointers();
            System.arraycopy(b.sparse.rowPtr(), start, p, 0, m + 1);
            sparseBatch = b.sparse instanceof CsrMatrix c
                    ? new CsrMatrix(m, cols, p, c.colIdx(), c.values())
                    : new FloatCsrMatrix(m, cols, p, b.sparse.colIdx(), ((FloatCsrMatrix) b.sparse).values());
            denseBatch = null;
        } else {
            double[] x = denseBuffer();
            b.copyRows(start, m, x);
            denseBatch = Matrix.wrap(m, cols, x);
            sparseBatch = null;
        }
    }

    /** Rows {@code perm[start .. start + m)} of {@code b}, in that order. */
    public void gather(RowBlock b, int[] perm, int start, int m) {
        check(b, m);
        rows = m;
        for (int i = 0; i < m; i++) y[i] = b.labels[perm[start + i]];
        if (!b.isSparse()) {
            double[] x = denseBuffer();
            b.gatherRows(perm, start, m, x);
            denseBatch = Matrix.wrap(m, cols, x);
            sparseBatch = null;
            return;
        }
        int[] bp = b.sparse.rowPtr();
        int[] bi = b.sparse.colIdx();
        int nnz = 0;
        for (int i = 0; i < m; i++) {
            int r = perm[start + i];
            nnz += bp[r + 1] - bp[r];
        }
        int[] p = pointers();
        if (idx.length < nnz) idx = new int[Math.max(nnz, idx.length + idx.length / 2)];
        boolean floats = b.sparse instanceof FloatCsrMatrix;
        if (floats && fvals.length < nnz) fvals = new float[Math.max(nnz, fvals.length + fvals.length / 2)];
        if (!floats && dvals.length < nnz) dvals = new double[Math.max(nnz, dvals.length + dvals.length / 2)];
        int q = 0;
        for (int i = 0; i < m; i++) {
            int r = perm[start + i];
            int from = bp[r];
            int len = bp[r + 1] - from;
            System.arraycopy(bi, from, idx, q, len);
            if (floats) System.arraycopy(((FloatCsrMatrix) b.sparse).values(), from, fvals, q, len);
            else System.arraycopy(((CsrMatrix) b.sparse).values(), from, dvals, q, len);
            q += len;
            p[i + 1] = q;
        }
        p[0] = 0;
        sparseBatch = floats ? new FloatCsrMatrix(m, cols, p, idx, fvals) : new CsrMatrix(m, cols, p, idx, dvals);
        denseBatch = null;
    }

    /** Labels of the loaded rows ({@code [0, rows())}). */
    public double[] labels() {
        return y;
    }

    public int rows() {
        return rows;
    }

    /** The loaded rows when sparse, else null. */
    public SparseRows sparse() {
        return sparseBatch;
    }

    /** The loaded rows when dense, else null. */
    public Matrix dense() {
        return denseBatch;
    }

    public double lossAndGradientSum(Network net, double[] params, double[] gradAcc, Network.Workspace ws) {
        Targets t = Targets.ofValues(rows, y);
        return sparseBatch != null ? net.lossAndGradientSum(params, sparseBatch, t, gradAcc, ws)
                : net.lossAndGradientSum(params, denseBatch, t, gradAcc, ws);
    }

    public double lossSum(Network net, double[] params, Network.Workspace ws) {
        Targets t = Targets.ofValues(rows, y);
        return sparseBatch != null ? net.lossSum(params, sparseBatch, t, ws) : net.lossSum(params, denseBatch, t, ws);
    }

    public Matrix predict(Network net, double[] params, Network.Workspace ws) {
        return sparseBatch != null ? net.predict(params, sparseBatch, ws) : net.predict(params, denseBatch, ws);
    }

    private void check(RowBlock b, int m) {
        if (b.cols != cols || m > maxRows || m < 0) {
            throw new IllegalArgumentException("batch of " + m + " rows x " + b.cols + " features does not fit a reader for "
                    + maxRows + " rows x " + cols + " features");
        }
    }

    private int[] pointers() {
        if (ptr == null) ptr = new int[maxRows + 1];
        return ptr;
    }

    private double[] denseBuffer() {
        if (dense == null) dense = new double[Math.multiplyExact(maxRows, cols)];
        return dense;
    }
}
