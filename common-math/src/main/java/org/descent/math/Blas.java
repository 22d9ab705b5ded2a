package org.descent.math;

import dev.ludovic.netlib.blas.BLAS;

/**
 * General matrix multiply through netlib BLAS {@code dgemm} (and {@code sgemm} for float, {@link #sgemm}):
 * {@code C = alpha * op(A) * op(B) + beta * C}, {@code op(X)} being X or X^T. The output is the
 * caller's buffer; nothing is allocated except by {@link #multiply}.
 *
 * <p>Which implementation runs is chosen once by {@code BLAS.getInstance()}: native JNI
 * ({@code libblas.so.3}, e.g. OpenBLAS), else VectorBLAS (needs
 * {@code --add-modules=jdk.incubator.vector}), else pure Java. {@link #implementationName()} tells.
 * Setting {@code -Ddev.ludovic.netlib.blas.nativeLib=none} skips the native library.
 */
public final class Blas {
    private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

    private Blas() {}

    /** Class name of the BLAS implementation netlib picked (e.g. {@code dev.ludovic.netlib.blas.JNIBLAS}). */
    public static String implementationName() {
        return BLAS_INSTANCE.getClass().getName();
    }

    /** {@code c = alpha * a * b + beta * c}; shapes a: m x k, b: k x n, c: m x n. */
    public static void gemm(double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        gemm(false, false, alpha, a, b, beta, c);
    }

    /**
     * {@code c = alpha * op(a) * op(b) + beta * c} with {@code op(x) = transX ? x^T : x}. With
     * {@code beta == 0} the old content of {@code c} is ignored (even NaN). {@code c} must not share
     * its array with {@code a} or {@code b}.
     *
     * @throws ShapeMismatchException naming both operand shapes, e.g. {@code "gemm: a=4x7, b=3x4"}
     */
    public static void gemm(boolean transA, boolean transB, double alpha, Matrix a, Matrix b,
                            double beta, Matrix c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb) {
            throw ShapeMismatchException.of("gemm", transA ? "a^T" : "a", m, k, transB ? "b^T" : "b", kb, n);
        }
        if (c.rows() != m || c.cols() != n) {
            throw ShapeMismatchException.of("gemm", "op(a)*op(b)", m, n, "c", c.rows(), c.cols());
        }
        if (c.data() == a.data() || c.data() == b.data()) {
            throw new IllegalArgumentException("gemm: output c must not share its array with a or b");
        }
        gemm(transA, transB, m, n, k, alpha, a.data(), 0, a.rows(), b.data(), 0, b.rows(),
                beta, c.data(), 0, c.rows());
    }

    /** Allocating form: returns {@code a * b}. */
    public static Matrix multiply(Matrix a, Matrix b) {
        return multiply(false, false, a, b);
    }

    /** Allocating form: returns {@code op(a) * op(b)}. */
    public static Matrix multiply(boolean transA, boolean transB, Matrix a, Matrix b) {
        Matrix c = Matrix.zeros(transA ? a.cols() : a.rows(), transB ? b.rows() : b.cols());
        gemm(transA, transB, 1.0, a, b, 0.0, c);
        return c;
    }

    /**
     * Raw column-major dgemm on array regions (used for per-layer views into a flat parameter
     * buffer): {@code C[offC..] = alpha * op(A[offA..]) * op(B[offB..]) + beta * C[offC..]} where
     * op(A) is m x k, op(B) is k x n, C is m x n, with leading dimensions lda/ldb/ldc (the row count
     * of each matrix as stored). Empty products (m, n or k zero) are handled without calling BLAS.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                            double[] a, int offA, int lda, double[] b, int offB, int ldb,
                            double beta, double[] c, int offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scaleRegion(m, n, beta, c, offC, ldc);
            return;
        }
        BLAS_INSTANCE.dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha,
                a, offA, Math.max(1, lda), b, offB, Math.max(1, ldb), beta, c, offC, Math.max(1, ldc));
    }

    /**
     * Single-precision twin of the raw {@link #gemm(boolean, boolean, int, int, int, double, double[], int,
     * int, double[], int, int, double, double[], int, int) gemm} through netlib {@code sgemm}:
     * {@code C[offC..] = alpha * op(A[offA..]) * op(B[offB..]) + beta * C[offC..]}, op(A) m x k,
     * op(B) k x n, column-major with leading dimensions lda/ldb/ldc. Empty products skip BLAS.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            for (int j = 0; j < n; j++) {
                int base = offC + j * ldc;
                for (int i = 0; i < m; i++) {
                    c[base + i] = beta == 0.0f ? 0.0f : beta * c[base + i];
                }
            }
            return;
        }
        BLAS_INSTANCE.sgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha,
                a, offA, Math.max(1, lda), b, offB, Math.max(1, ldb), beta, c, offC, Math.max(1, ldc));
    }

    private static void scaleRegion(int m, int n, double beta, double[] c, int offC, int ldc) {
        for (int j = 0; j < n; j++) {
            int base = offC + j * ldc;
            for (int i = 0; i < m; i++) {
                c[base + i] = beta == 0.0 ? 0.0 : beta * c[base + i];
            }
        }
    }
}
