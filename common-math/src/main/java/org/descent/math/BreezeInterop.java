package org.descent.math;

import breeze.linalg.DenseMatrix;
import breeze.linalg.DenseVector;

/**
 * Zero-copy bridges between {@link Matrix} and Breeze's column-major {@code DenseMatrix} /
 * {@code DenseVector} (Breeze 2.1.0 from Java: the element type erases to {@code Object}, the
 * data array is a {@code double[]}).
 */
public final class BreezeInterop {
    private BreezeInterop() {}

    /** A Breeze view of {@code m}'s array (no copy; writes through either side are shared). */
    public static DenseMatrix<Object> toBreeze(Matrix m) {
        return new DenseMatrix<>(m.rows(), m.cols(), m.data());
    }

    /**
     * A {@link Matrix} over a Breeze matrix. Compact, untransposed matrices (offset 0, major stride
     * = rows) are wrapped without copying; any other view is copied into a new compact matrix.
     *
     * @throws IllegalArgumentException if the Breeze matrix does not hold doubles
     */
    public static Matrix fromBreeze(DenseMatrix<?> b) {
        if (!(b.data() instanceof double[] data)) {
            throw new IllegalArgumentException("fromBreeze: expected a DenseMatrix of doubles, got data of "
                    + b.data().getClass().getSimpleName());
        }
        int rows = b.rows();
        int cols = b.cols();
        if (!b.isTranspose() && b.offset() == 0 && (b.majorStride() == rows || cols <= 1)) {
            return Matrix.wrap(rows, cols, data);
        }
        Matrix out = Matrix.zeros(rows, cols);
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                int idx = b.isTranspose()
                        ? b.offset() + j + i * b.majorStride()
                        : b.offset() + i + j * b.majorStride();
                out.set(i, j, data[idx]);
            }
        }
        return out;
    }

    /** A Breeze vector view of {@code values} (no copy). */
    public static DenseVector<Object> toBreezeVector(double[] values) {
        return new DenseVector<>(values);
    }

    /**
     * Copies a Breeze vector of doubles into a new array (honours offset and stride).
     */
    public static double[] fromBreezeVector(DenseVector<?> v) {
        if (!(v.data() instanceof double[] data)) {
            throw new IllegalArgumentException("fromBreezeVector: expected a DenseVector of doubles");
        }
        double[] out = new double[v.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[v.offset() + i * v.stride()];
        }
        return out;
    }

    /**
     * {@code a * b} computed by Breeze's own matrix product (which allocates its result and itself
     * calls netlib dgemm). For interop checks and one-off use; hot paths use {@link Blas#gemm}.
     */
    @SuppressWarnings("unchecked")
    public static Matrix multiplyWithBreeze(Matrix a, Matrix b) {
        if (a.cols() != b.rows()) {
            throw ShapeMismatchException.of("breezeMultiply", "a", a.rows(), a.cols(), "b", b.rows(), b.cols());
        }
        DenseMatrix<Object> product = (DenseMatrix<Object>) breeze.linalg.operators.HasOps
                .impl_OpMulMatrix_DMD_DMD_eq_DMD().apply(toBreeze(a), toBreeze(b));
        return fromBreeze(product);
    }
}
