package org.descent.job.data;

import java.io.Serializable;

import org.descent.math.scale.FeatureStats;
import org.descent.math.scale.Scaler;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FloatCsrMatrix;
import org.descent.math.sparse.SparseRows;

/**
 * A partition's rows, cached in executor memory, in one of two representations:
 * <ul>
 *   <li>dense ({@link #sparse} null): ONE row-major copy of the features, {@code rows x cols} (element
 *       (i, j) at {@code i * cols + j}), in float64 or float32 ({@link #storage}, {@code data.storage}). Row-major
 *       because a training step gathers randomly permuted rows: each row is one sequential read (column-major
 *       storage made every gathered element a cache miss, which is why a second, row-major copy used to be
 *       made). {@link #gatherRows} and {@link #copyRows} hand the network a column-major batch. When the values
 *       take at most 256 distinct values (pixels, counts, flags: {@link CodedRows#pack}, automatic) the copy is
 *       one-byte codes and a table of the stored values ({@link CodedRows}), every value with the same bits, at an
 *       eighth of the bytes in float64.</li>
 *   <li>sparse: {@code sparse} holds the rows in CSR form (0-based int32 column indices, float64 values, or
 *       float32 ones): memory proportional to the non-zeros, never a dense row of {@code cols}.</li>
 * </ul>
 * {@code labels[i]} is row i's label (class index or value), {@code ids[i]} a stable global row id
 * (unique in the data set, used to count visits and to carry ids through predict).
 */
public final class RowBlock implements Serializable {
    private static final long serialVersionUID = 4L;

    public final int rows;
    public final int cols;
    /** Dense float64 features (row-major), or null. */
    private final double[] dense64;
    /** Dense float32 features (row-major), or null. */
    private final float[] dense32;
    /** Dense features as codes into a table of their stored values, or null. */
    private final CodedRows coded;
    /** Sparse features (CSR over all rows of the block), or null when dense. */
    public final SparseRows sparse;
    public final double[] labels;
    public final long[] ids;

    /** A dense float64 block over {@code features} ({@code rows x cols}, ROW-major: (i, j) at {@code i * cols + j}; not copied). */
    public static RowBlock rowMajor(int rows, int cols, double[] features, double[] labels, long[] ids) {
        return new RowBlock(rows, cols, features, null, null, labels, ids);
    }

    /** A dense float32 block over {@code features} ({@code rows x cols}, ROW-major; not copied). */
    public static RowBlock rowMajor(int rows, int cols, float[] features, double[] labels, long[] ids) {
        return new RowBlock(rows, cols, null, features, null, labels, ids);
    }

    /** A dense block whose values are {@code codes}' ({@code codes.rows x codes.cols}). */
    static RowBlock coded(CodedRows codes, double[] labels, long[] ids) {
        return new RowBlock(codes.rows, codes.cols, null, null, codes, labels, ids);
    }

    private RowBlock(int rows, int cols, double[] d, float[] f, CodedRows c, double[] labels, long[] ids) {
        int len = d != null ? d.length : f != null ? f.length : c != null ? rows * cols : -1;
        if (len != (long) rows * cols || labels.length != rows || ids.length != rows) {
            throw new IllegalArgumentException("RowBlock: rows=" + rows + ", cols=" + cols + ", features="
                    + (len < 0 ? "null" : len) + ", labels=" + labels.length + ", ids=" + ids.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.dense64 = d;
        this.dense32 = f;
        this.coded = c;
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
        this.dense64 = null;
        this.dense32 = null;
        this.coded = null;
        this.sparse = sparse;
        this.labels = labels;
        this.ids = ids;
    }

    public boolean isSparse() {
        return sparse != null;
    }

    /** Whether the dense values are held as one-byte codes into a table ({@link CodedRows}). */
    public boolean isCoded() {
        return coded != null;
    }

    /** Width of the stored feature values: FLOAT32 for float32 dense values or float32 CSR values. */
    public Storage storage() {
        if (coded != null) return coded.storage();
        return dense32 != null || sparse instanceof FloatCsrMatrix ? Storage.FLOAT32 : Storage.FLOAT64;
    }

    /** Stored feature values: {@code rows * cols} dense, the non-zeros sparse. */
    public long storedValues() {
        return sparse != null ? sparse.nnz() : (long) rows * cols;
    }

    /** Bytes of the arrays this block holds (features, indices, labels, ids), as cached. */
    public long cachedBytes() {
        long labelsAndIds = 16L * rows;
        if (coded != null) return labelsAndIds + coded.bytes();
        if (sparse == null) return labelsAndIds + (dense32 != null ? 4L : 8L) * rows * cols;
        int valueBytes = sparse instanceof FloatCsrMatrix ? 4 : 8;
        return labelsAndIds + 4L * sparse.rowPtr().length + (4L + valueBytes) * sparse.colIdx().length;
    }

    /**
     * Adds a dense float64 block's features to {@code stats} (the scaling fit runs on packed blocks, which are
     * float64); sparse blocks go through {@link FeatureStats#addSparse}; unscaled coded ones through their codes
     * ({@link CodedRows#addUnscaledTo}), other coded ones through a transient float64 copy (the same values in the same
     * order: the same statistics bits either way).
     */
    public FeatureStats addTo(FeatureStats stats) {
        if (sparse != null) return stats.addSparse(sparse);
        if (coded != null && coded.storage() == Storage.FLOAT64 && !coded.scaled()) return coded.addUnscaledTo(stats);
        if (coded != null && coded.storage() == Storage.FLOAT64) return stats.addRowMajor(coded.decode(), rows, cols);
        if (dense64 == null) throw new IllegalStateException("scaling statistics need float64 blocks (fit before storing)");
        return stats.addRowMajor(dense64, rows, cols);
    }

    /**
     * The block as cached: scaled by {@code scaler} (null: not scaled) in float64, then stored in {@code storage}
     * (float32: each scaled value rounded once, as a float32 run's first layer rounds its input anyway). Returns
     * this block when there is nothing to do; otherwise a new block sharing labels and ids. Sparse blocks keep
     * their value width (fixed when packed) and need a scaler that keeps zeros zero
     * ({@link org.descent.math.scale.ScalerKind#keepsZeros}); a centering one is a {@link DataException} saying
     * what to use instead. A coded block stays coded, its codes shared ({@link CodedRows#stored}), unless it is scaled
     * a second time: that gives a plain block (rare: the data stage scales once).
     */
    public RowBlock stored(Scaler scaler, Storage storage) {
        if (sparse != null) return scaler == null ? this : scaled(scaler);
        boolean float32 = storage() == Storage.FLOAT32;
        boolean toFloat = storage == Storage.FLOAT32 && !float32;
        if (scaler == null && !toFloat) return this;
        if (float32 && scaler != null) throw new IllegalStateException("scale before storing in float32");
        double[] offset = scaler == null ? null : scaler.offsets();
        double[] scale = scaler == null ? null : scaler.scales();
        if (scaler != null && scale.length != cols) {
            throw org.descent.math.ShapeMismatchException.of("RowBlock.stored", "block", rows, cols, "scaler", 1, scale.length);
        }
        if (coded != null && !(coded.scaled() && scaler != null)) return coded(coded.stored(scaler, storage, ids), labels, ids);
        double[] src = dense64 != null ? dense64 : coded.decode(); // a scaled coded block scaled again: plain values
        if (!toFloat) {
            double[] f = new double[src.length];
            for (int i = 0, p = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++, p++) f[p] = (src[p] - offset[j]) / scale[j];
            }
            return rowMajor(rows, cols, f, labels, ids);
        }
        float[] f = new float[src.length];
        for (int i = 0, p = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++, p++) {
                double v = scaler == null ? src[p] : (src[p] - offset[j]) / scale[j];
                f[p] = (float) v;
                if (Float.isInfinite(f[p])) {
                    throw new DataException("row " + ids[i] + " (0-based, input order) has feature value " + v
                            + " at feature " + (j + 1) + ", beyond float32 range; set data.storage = float64"
                            + " (and training.precision = float64) or rescale the feature");
                }
            }
        }
        return rowMajor(rows, cols, f, labels, ids);
    }

    /** A scaled copy of this block (labels and ids shared): {@code stored(scaler, storage())}. */
    public RowBlock scaled(Scaler scaler) {
        if (sparse == null) return stored(scaler, storage());
        if (!scaler.kind().keepsZeros()) throw new DataException(Scaler.centeringRefusal(scaler.kind()));
        SparseRows x = sparse instanceof CsrMatrix c
                ? new CsrMatrix(rows, cols, c.rowPtr(), c.colIdx(), c.values().clone())
                : new FloatCsrMatrix(rows, cols, sparse.rowPtr(), sparse.colIdx(), ((FloatCsrMatrix) sparse).values().clone());
        scaler.transformSparseInPlace(x);
        return new RowBlock(x, labels, ids);
    }

    /**
     * Rows {@code [start, start + m)} of a dense block into {@code x} as an {@code m x cols} column-major batch
     * (leading dimension m): see {@link #gatherRows}.
     */
    public void copyRows(int start, int m, double[] x) {
        checkBatch(start, m, x.length);
        int[] base = new int[8];
        for (int i0 = 0; i0 < m; i0 += 8) {
            int k = Math.min(8, m - i0);
            for (int q = 0; q < k; q++) base[q] = (start + i0 + q) * cols;
            copy8(base, k, x, i0, m);
        }
    }

    /**
     * Rows {@code perm[start .. start + m)} of a dense block, in that order, into {@code x} as an
     * {@code m x cols} column-major batch (leading dimension m). 8 rows at a time: the 8 source rows are read
     * sequentially and each store of 8 consecutive x entries fills one cache line. Plain copies (float32 values
     * widened exactly).
     */
    public void gatherRows(int[] perm, int start, int m, double[] x) {
        checkBatch(0, m, x.length);
        int[] base = new int[8];
        for (int i0 = 0; i0 < m; i0 += 8) {
            int k = Math.min(8, m - i0);
            rowBases(perm, start + i0, k, base);
            copy8(base, k, x, i0, m);
        }
    }

    /**
     * {@link #gatherRows(int[], int, int, double[])} into a float batch (a float32 training step): float32-stored
     * values are copied as they are, float64 ones rounded, the bits of rounding the double batch afterwards.
     */
    public void gatherRows(int[] perm, int start, int m, float[] x) {
        checkBatch(0, m, x.length);
        int[] base = new int[8];
        for (int i0 = 0; i0 < m; i0 += 8) {
            int k = Math.min(8, m - i0);
            rowBases(perm, start + i0, k, base);
            if (coded != null) {
                coded.gather8(base, k, x, i0, m);
                continue;
            }
            for (int j = 0; j < cols; j++) {
                int d = j * m + i0;
                if (dense32 != null) {
                    for (int q = 0; q < k; q++) x[d + q] = dense32[base[q] + j];
                } else {
                    for (int q = 0; q < k; q++) x[d + q] = (float) dense64[base[q] + j];
                }
            }
        }
    }

    /** Rows starting at {@code base[0..k)} (row-major offsets) into batch rows {@code i0..i0+k} of x. */
    private void copy8(int[] base, int k, double[] x, int i0, int m) {
        if (coded != null) {
            coded.gather8(base, k, x, i0, m);
        } else if (dense64 != null) {
            for (int j = 0; j < cols; j++) {
                int d = j * m + i0;
                for (int q = 0; q < k; q++) x[d + q] = dense64[base[q] + j];
            }
        } else {
            for (int j = 0; j < cols; j++) {
                int d = j * m + i0;
                for (int q = 0; q < k; q++) x[d + q] = dense32[base[q] + j];
            }
        }
    }

    /** Row-major offsets of rows {@code perm[at .. at + k)} into {@code base[0..k)}, each row checked. */
    private void rowBases(int[] perm, int at, int k, int[] base) {
        for (int q = 0; q < k; q++) {
            int r = perm[at + q];
            if (r < 0 || r >= rows) throw new IndexOutOfBoundsException("row " + r + " of a block of " + rows);
            base[q] = r * cols;
        }
    }

    private void checkBatch(int start, int m, int capacity) {
        if (sparse != null) throw new IllegalStateException("copyRows/gatherRows: the block is sparse");
        if (start < 0 || m < 0 || start + m > rows || capacity < (long) m * cols) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + (start + m) + ") of a block of " + rows
                    + " x " + cols + " into a batch buffer of " + capacity + " values");
        }
    }

    /** The dense features as a new float64 row-major array (tests and small tools). */
    public double[] denseRowMajor() {
        if (sparse != null) throw new IllegalStateException("denseRowMajor: the block is sparse");
        if (dense64 != null) return dense64.clone();
        if (coded != null) return coded.decode();
        double[] d = new double[dense32.length];
        for (int p = 0; p < d.length; p++) d[p] = dense32[p];
        return d;
    }

    /** The first {@code m} rows as a DENSE float64 block (densified when sparse: for small samples, e.g. a gradient check). */
    public RowBlock denseHead(int m) {
        double[] f = new double[Math.multiplyExact(m, cols)];
        if (sparse == null) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < cols; j++) f[i * cols + j] = feature(i, j);
            }
        } else {
            for (int i = 0; i < m; i++) {
                for (int p = sparse.rowPtr()[i]; p < sparse.rowPtr()[i + 1]; p++) {
                    f[i * cols + sparse.colIdx()[p]] = sparse.valueAt(p);
                }
            }
        }
        return rowMajor(m, cols, f, java.util.Arrays.copyOf(labels, m), java.util.Arrays.copyOf(ids, m));
    }

    /** Feature (i, j) of the block, for tests and small tools (O(log nnz_i) when sparse). */
    public double feature(int i, int j) {
        if (dense64 != null) return dense64[i * cols + j];
        if (dense32 != null) return dense32[i * cols + j];
        if (coded != null) return coded.value(i, j);
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
