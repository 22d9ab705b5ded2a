package org.descent.job.data;

import java.io.Serializable;

import org.descent.math.scale.Scaler;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FloatCsrMatrix;
import org.descent.math.sparse.SparseRows;

/**
 * A partition's rows, cached in executor memory, in one of two representations:
 * <ul>
 *   <li>dense ({@link #sparse} null): {@code features} is {@code rows x cols} column-major (leading
 *       dimension {@code rows}; element (i, j) at {@code i + j * rows}), packed for GEMM;</li>
 *   <li>sparse ({@link #features} null): {@code sparse} holds the rows in CSR form (0-based int32
 *       column indices, float64 values, or float32 ones for a FLOAT32 run): memory proportional to the
 *       non-zeros, never a dense row of {@code cols}.</li>
 * </ul>
 * {@code labels[i]} is row i's label (class index or value), {@code ids[i]} a stable global row id
 * (unique in the data set, used to count visits and to carry ids through predict).
 */
public final class RowBlock implements Serializable {
    private static final long serialVersionUID = 2L;

    public final int rows;
    public final int cols;
    /** Dense features, or null when {@link #sparse} holds them. */
    public final double[] features;
    /** Sparse features (CSR over all rows of the block), or null when dense. */
    public final SparseRows sparse;
    public final double[] labels;
    public final long[] ids;

    /** A dense block. */
    public RowBlock(int rows, int cols, double[] features, double[] labels, long[] ids) {
        if (features == null || features.length != (long) rows * cols || labels.length != rows || ids.length != rows) {
            throw new IllegalArgumentException("RowBlock: rows=" + rows + ", cols=" + cols + ", features="
                    + (features == null ? "null" : features.length) + ", labels=" + labels.length + ", ids=" + ids.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.features = features;
        this.sparse = null;
        this.labels = labels;
        this.ids = ids;
    }

    /** A sparse block ({@link CsrMatrix} or {@link FloatCsrMatrix} over exactly these rows). */
    public RowBlock(SparseRows sparse, double[] labels, long[] ids) {
        if (sparse == null || labels.length != sparse.rows() || ids.length != sparse.rows()) {
            throw new IllegalArgumentException("RowBlock: sparse rows=" + (sparse == null ? "null" : sparse.rows())
                    + ", labels=" + labels.length + ", ids=" + ids.length);
        }
        this.rows = sparse.rows();
        this.cols = sparse.cols();
        this.features = null;
        this.sparse = sparse;
        this.labels = labels;
        this.ids = ids;
    }

    public boolean isSparse() {
        return sparse != null;
    }

    /** Stored feature values: {@code rows * cols} dense, the non-zeros sparse. */
    public long storedValues() {
        return sparse != null ? sparse.nnz() : (long) rows * cols;
    }

    /** Bytes of the arrays this block holds (features, indices, labels, ids), as cached. */
    public long cachedBytes() {
        long labelsAndIds = 16L * rows;
        if (sparse == null) return labelsAndIds + 8L * rows * cols;
        int valueBytes = sparse instanceof FloatCsrMatrix ? 4 : 8;
        return labelsAndIds + 4L * sparse.rowPtr().length + (4L + valueBytes) * sparse.colIdx().length;
    }

    /**
     * A scaled copy of this block (labels and ids shared). Sparse blocks copy only their values and need a
     * scaler that keeps zeros zero ({@link org.descent.math.scale.ScalerKind#keepsZeros}); a centering one is a
     * {@link DataException} saying what to use instead.
     */
    public RowBlock scaled(Scaler scaler) {
        if (sparse == null) {
            double[] f = features.clone();
            scaler.transformInPlace(f, rows, cols);
            return new RowBlock(rows, cols, f, labels, ids);
        }
        if (!scaler.kind().keepsZeros()) throw new DataException(Scaler.centeringRefusal(scaler.kind()));
        SparseRows x = sparse instanceof CsrMatrix c
                ? new CsrMatrix(rows, cols, c.rowPtr(), c.colIdx(), c.values().clone())
                : new FloatCsrMatrix(rows, cols, sparse.rowPtr(), sparse.colIdx(), ((FloatCsrMatrix) sparse).values().clone());
        scaler.transformSparseInPlace(x);
        return new RowBlock(x, labels, ids);
    }

    /** The first {@code m} rows as a DENSE block (densified when sparse: for small samples, e.g. a gradient check). */
    public RowBlock denseHead(int m) {
        double[] f = new double[Math.multiplyExact(m, cols)];
        if (sparse == null) {
            for (int j = 0; j < cols; j++) System.arraycopy(features, j * rows, f, j * m, m);
        } else {
            for (int i = 0; i < m; i++) {
                for (int p = sparse.rowPtr()[i]; p < sparse.rowPtr()[i + 1]; p++) {
                    f[i + sparse.colIdx()[p] * m] = sparse.valueAt(p);
                }
            }
        }
        return new RowBlock(m, cols, f, java.util.Arrays.copyOf(labels, m), java.util.Arrays.copyOf(ids, m));
    }

    /** Feature (i, j) of the block, for tests and small tools (O(log nnz_i) when sparse). */
    public double feature(int i, int j) {
        if (sparse == null) return features[i + j * rows];
        int lo = sparse.rowPtr()[i];
        int hi = sparse.rowPtr()[i + 1] - 1;
        int[] idx = sparse.colIdx();
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (idx[mid] < j) lo = mid + 1;
            else if (idx[mid] > j) hi = mid - 1;
            else return sparse.valueAt(mid);
        }
        return 0.0;
    }
}
