package org.descent.math;

/**
 * The element-wise kernels the network's hot path calls, hand-written because they run on a slice of a
 * workspace buffer or accumulate into the flat gradient (allocation-free, only the first
 * {@code rows*cols} entries of a backing array are touched). Everything else (transpose, broadcasting,
 * reductions, solves) is Breeze's: {@link Matrix#asBreeze()}, {@link BreezeInterop}. Matrix products are
 * in {@link Blas}.
 */
public final class MatrixOps {
    private MatrixOps() {}

    /** {@code a = s * a}. */
    public static void scaleInPlace(Matrix a, double s) {
        double[] x = a.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            x[i] = s * x[i];
        }
    }

    /**
     * {@code acc[offset + j] += Σ_i a[i, j]} (accumulating raw form: the bias gradient
     * {@code db += 1^T dZ} inside a flat gradient buffer).
     *
     * @throws ShapeMismatchException when the accumulator is too short for a's columns at offset
     */
    public static void addColumnSums(Matrix a, double[] acc, int offset) {
        if (offset < 0 || offset + a.cols() > acc.length) {
            throw new ShapeMismatchException("columnSums: a=" + a.shape() + ", accumulator of length "
                    + acc.length + " at offset " + offset);
        }
        int r = a.rows();
        double[] d = a.data();
        for (int j = 0; j < a.cols(); j++) {
            double s = 0;
            int base = j * r;
            for (int i = 0; i < r; i++) {
                s += d[base + i];
            }
            acc[offset + j] += s;
        }
    }
}
