package org.descent.math.scale;

import java.io.Serializable;
import java.util.Arrays;
import org.descent.math.ShapeMismatchException;
import org.descent.math.sparse.SparseRows;

/**
 * Mergeable per-feature statistics (count, mean, sum of squared deviations M2, min, max) for fitting
 * a {@link Scaler}, designed as a Spark aggregate: {@code add}/{@code addColumnMajor} in the seqOp,
 * {@link #merge} in the combOp (both return {@code this}).
 *
 * <p>Numerics: single rows use Welford's (1962) update; a row block first computes the block's
 * mean and M2 with the corrected two-pass algorithm, and blocks and partitions combine with the pairwise formula of
 * Chan, Golub &amp; LeVeque (1979):
 *
 * <pre>
 *   n = na + nb,  d = mean_b - mean_a
 *   mean = mean_a + d * nb / n
 *   M2   = M2_a + M2_b + d^2 * na * nb / n
 * </pre>
 *
 * which avoids the cancellation of the naive {@code sum x^2 - n mean^2}. Population variance is
 * {@code M2 / n}. Accuracy: the relative error of the variance grows like {@code (|mean| / std) * eps}
 * (for a feature with mean 1e6 and std 1, about 1e-10; a double at 1e6 only resolves 1.2e-10), so
 * merged results agree with a single pass to ~1e-12 only for features with moderate mean/std. Non-finite input values are refused with the feature (and row) index.
 */
public final class FeatureStats implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int numFeatures;
    private long count;
    private final double[] mean;
    private final double[] m2;
    private final double[] min;
    private final double[] max;

    public FeatureStats(int numFeatures) {
        if (numFeatures <= 0) {
            throw new IllegalArgumentException("numFeatures must be > 0, got " + numFeatures);
        }
        this.numFeatures = numFeatures;
        this.mean = new double[numFeatures];
        this.m2 = new double[numFeatures];
        this.min = new double[numFeatures];
        this.max = new double[numFeatures];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    /** Adds one row of {@code numFeatures} values (Welford update). */
    public FeatureStats add(double[] row) {
        if (row.length != numFeatures) {
            throw ShapeMismatchException.of("FeatureStats.add", "row", 1, row.length, "stats", 1, numFeatures);
        }
        for (int j = 0; j < numFeatures; j++) {
            requireFinite(row[j], j, -1);
        }
        count++;
        for (int j = 0; j < numFeatures; j++) {
            double x = row[j];
            double d = x - mean[j];
            mean[j] += d / count;
            m2[j] += d * (x - mean[j]);
            if (x < min[j]) min[j] = x;
            if (x > max[j]) max[j] = x;
        }
        return this;
    }

    /**
     * Adds a block of {@code rows} rows stored column-major with leading dimension {@code rows}
     * (feature {@code j} of row {@code i} at {@code data[j * rows + i]}); {@code cols} must equal
     * {@code numFeatures}. Allocates nothing.
     */
    public FeatureStats addColumnMajor(double[] data, int rows, int cols) {
        if (cols != numFeatures || rows < 0 || data.length < (long) rows * cols) {
            throw new ShapeMismatchException("FeatureStats.addColumnMajor: block=" + rows + "x" + cols
                    + " (data has " + data.length + " values), stats=1x" + numFeatures);
        }
        if (rows == 0) {
            return this;
        }
        for (int j = 0; j < cols; j++) {
            int base = j * rows;
            for (int i = 0; i < rows; i++) {
                requireFinite(data[base + i], j, i);
            }
        }
        long nb = rows;
        long n = count + nb;
        for (int j = 0; j < cols; j++) {
            int base = j * rows;
            double sum = 0;
            double lo = min[j];
            double hi = max[j];
            for (int i = 0; i < rows; i++) {
                double x = data[base + i];
                sum += x;
                if (x < lo) lo = x;
                if (x > hi) hi = x;
            }
            double meanB = sum / rows;
            double m2B = 0;
            double comp = 0;
            for (int i = 0; i < rows; i++) {
                double d = data[base + i] - meanB;
                m2B += d * d;
                comp += d;
            }
            // corrected two-pass (Chan, Golub & LeVeque 1983): comp = sum(x - meanB) is the rounding
            // error of the first pass; it refines both the mean and M2
            m2B -= comp * comp / rows;
            meanB += comp / rows;
            combine(j, count, meanB, m2B, nb, n);
            min[j] = lo;
            max[j] = hi;
        }
        count = n;
        return this;
    }

    /**
     * As {@link #addColumnMajor} for a block stored row-major ({@code data[i * cols + j]}): per feature the same
     * additions in the same row order, so the result is bit-identical to {@link #addColumnMajor} of the same
     * block transposed. Reads the block twice, row by row; allocates four {@code cols} scratch arrays.
     */
    public FeatureStats addRowMajor(double[] data, int rows, int cols) {
        checkRowMajor("addRowMajor", data.length, rows, cols);
        return addRows(p -> data[p], rows, cols);
    }

    /**
     * As {@link #addRowMajor} for a block stored as one-byte codes into a table of values: value
     * {@code (i, j) = table[codes[i * cols + j] & 0xff]}. The same additions in the same order as {@code addRowMajor}
     * of the decoded block, so the same bits, without the decoded block's 8 bytes a value.
     */
    public FeatureStats addRowMajorCoded(byte[] codes, double[] table, int rows, int cols) {
        checkRowMajor("addRowMajorCoded", codes.length, rows, cols);
        return addRows(p -> table[codes[p] & 0xff], rows, cols);
    }

    /** Value {@code p = i * cols + j} of a row-major block (an array, or codes into a table). */
    private interface RowMajor {
        double at(int p);
    }

    private void checkRowMajor(String op, int length, int rows, int cols) {
        if (cols != numFeatures || rows < 0 || length < (long) rows * cols) {
            throw new ShapeMismatchException("FeatureStats." + op + ": block=" + rows + "x" + cols
                    + " (data has " + length + " values), stats=1x" + numFeatures);
        }
    }

    /** The body of {@link #addRowMajor} over any {@link RowMajor} reader (two implementations: the JIT inlines both). */
    private FeatureStats addRows(RowMajor data, int rows, int cols) {
        if (rows == 0) {
            return this;
        }
        for (int j = 0; j < cols; j++) { // column by column, so the first non-finite value named is addColumnMajor's
            for (int i = 0; i < rows; i++) {
                requireFinite(data.at(i * cols + j), j, i);
            }
        }
        double[] sum = new double[cols];
        double[] lo = min.clone();
        double[] hi = max.clone();
        for (int i = 0, p = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++, p++) {
                double x = data.at(p);
                sum[j] += x;
                if (x < lo[j]) lo[j] = x;
                if (x > hi[j]) hi[j] = x;
            }
        }
        double[] meanB = new double[cols];
        for (int j = 0; j < cols; j++) meanB[j] = sum[j] / rows;
        double[] m2B = new double[cols];
        double[] comp = sum; // reused: sum is no longer needed
        java.util.Arrays.fill(comp, 0.0);
        for (int i = 0, p = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++, p++) {
                double d = data.at(p) - meanB[j];
                m2B[j] += d * d;
                comp[j] += d;
            }
        }
        long nb = rows;
        long n = count + nb;
        for (int j = 0; j < cols; j++) {
            double m2 = m2B[j] - comp[j] * comp[j] / rows; // corrected two-pass, as in addColumnMajor
            double mean = meanB[j] + comp[j] / rows;
            combine(j, count, mean, m2, nb, n);
            min[j] = lo[j];
            max[j] = hi[j];
        }
        count = n;
        return this;
    }

    /**
     * Adds a sparse block: each row's absent features count as 0. Per feature the block's mean and M2
     * come from its non-zeros and the implicit zeros ({@code M2 = Σ_nz (x - mean)^2 + zeros * mean^2}),
     * then combine as for a dense block, so the result equals {@link #addColumnMajor} of the densified
     * block up to rounding. O(nnz + numFeatures); allocates two {@code numFeatures} scratch arrays.
     */
    public FeatureStats addSparse(SparseRows x) {
        if (x.cols() != numFeatures) {
            throw ShapeMismatchException.of("FeatureStats.addSparse", "block", x.rows(), x.cols(), "stats", 1, numFeatures);
        }
        int rows = x.rows();
        if (rows == 0) {
            return this;
        }
        int[] ptr = x.rowPtr();
        int[] idx = x.colIdx();
        double[] sum = new double[numFeatures];
        int[] nz = new int[numFeatures];
        for (int i = 0; i < rows; i++) {
            for (int p = ptr[i]; p < ptr[i + 1]; p++) {
                double v = x.valueAt(p);
                requireFinite(v, idx[p], i);
                sum[idx[p]] += v;
                nz[idx[p]]++;
            }
        }
        double[] m2B = new double[numFeatures];
        for (int i = 0; i < rows; i++) {
            for (int p = ptr[i]; p < ptr[i + 1]; p++) {
                int j = idx[p];
                double d = x.valueAt(p) - sum[j] / rows;
                m2B[j] += d * d;
                if (x.valueAt(p) < min[j]) min[j] = x.valueAt(p);
                if (x.valueAt(p) > max[j]) max[j] = x.valueAt(p);
            }
        }
        long n = count + rows;
        for (int j = 0; j < numFeatures; j++) {
            double meanB = sum[j] / rows;
            int zeros = rows - nz[j];
            combine(j, count, meanB, m2B[j] + zeros * meanB * meanB, rows, n);
            if (zeros > 0) {
                min[j] = Math.min(min[j], 0.0);
                max[j] = Math.max(max[j], 0.0);
            }
        }
        count = n;
        return this;
    }

    /** Folds {@code other} into this (Chan et al. pairwise combine); returns {@code this}. */
    public FeatureStats merge(FeatureStats other) {
        if (other.numFeatures != numFeatures) {
            throw ShapeMismatchException.of("FeatureStats.merge", "this", 1, numFeatures, "other", 1, other.numFeatures);
        }
        if (other.count == 0) {
            return this;
        }
        long n = count + other.count;
        for (int j = 0; j < numFeatures; j++) {
            combine(j, count, other.mean[j], other.m2[j], other.count, n);
            min[j] = Math.min(min[j], other.min[j]);
            max[j] = Math.max(max[j], other.max[j]);
        }
        count = n;
        return this;
    }

    private void combine(int j, long na, double meanB, double m2B, long nb, long n) {
        if (na == 0) {
            mean[j] = meanB;
            m2[j] = m2B;
            return;
        }
        double d = meanB - mean[j];
        mean[j] += d * ((double) nb / n);
        m2[j] += m2B + d * d * ((double) na * nb / n);
    }

    private static void requireFinite(double x, int feature, int row) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("feature " + feature + (row >= 0 ? " of block row " + row : "")
                    + " is " + x + "; feature scaling needs finite values (clean or impute the data first)");
        }
    }

    public int numFeatures() {
        return numFeatures;
    }

    /** Number of rows seen. */
    public long count() {
        return count;
    }

    public double mean(int j) {
        return mean[j];
    }

    /** Population variance {@code M2 / n} (0 when {@code n = 0}). */
    public double variance(int j) {
        return count == 0 ? 0 : Math.max(0, m2[j] / count);
    }

    /** Population standard deviation. */
    public double std(int j) {
        return Math.sqrt(variance(j));
    }

    /** Sum of squared deviations from the mean. */
    public double m2(int j) {
        return m2[j];
    }

    /** {@code +Infinity} before any row. */
    public double min(int j) {
        return min[j];
    }

    /** {@code -Infinity} before any row. */
    public double max(int j) {
        return max[j];
    }

    public double[] means() {
        return mean.clone();
    }

    public double[] stds() {
        double[] s = new double[numFeatures];
        for (int j = 0; j < numFeatures; j++) {
            s[j] = std(j);
        }
        return s;
    }

    public double[] mins() {
        return min.clone();
    }

    public double[] maxs() {
        return max.clone();
    }

    @Override
    public String toString() {
        return "FeatureStats[features=" + numFeatures + ", count=" + count + "]";
    }
}
