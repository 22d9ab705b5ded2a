package org.descent.math.sparse;

import org.descent.math.ShapeMismatchException;

/**
 * Sparse x dense products for a first layer whose input X ({@code n x d}) is a {@link SparseRows}
 * block and whose weights W ({@code d x k}) and the other operands are dense column-major regions
 * ({@code off}, leading dimension {@code ld}, element (r, c) at {@code off + r + c * ld}).
 *
 * <ul>
 *   <li>{@link #multiplyAdd}: {@code Z += X W} — {@code Z[i,j] += Σ_p v_p W[c_p, j]}, summed in the
 *       row's entry order onto what Z holds (e.g. the bias); O(nnz k) work, no dense row ever built.</li>
 *   <li>{@link #transposeMultiplyAdd}: {@code G += X^T dZ} — {@code G[c_p, j] += v_p dZ[i, j]}: only the
 *       rows of G whose feature occurs in X are touched, each receiving its terms in row order, so the
 *       result is deterministic for a given X.</li>
 * </ul>
 * Loops run column j outermost: each pass streams X once and writes one column of Z or G.
 * FLOAT32 variants compute in float (the weights of the double master copy are rounded as read, so
 * the untouched rows of W are never converted) and accumulate the weight gradient in double.
 */
public final class SparseKernels {
    private SparseKernels() {}

    /** {@code z += X W} in double. */
    public static void multiplyAdd(CsrMatrix x, int k, double[] w, int wOff, int ldw, double[] z, int zOff, int ldz) {
        check("sparse multiplyAdd", x, k, w.length, wOff, ldw, z.length, zOff, ldz, false);
        int[] ptr = x.rowPtr();
        int[] idx = x.colIdx();
        double[] v = x.values();
        int n = x.rows();
        for (int j = 0; j < k; j++) {
            int wj = wOff + j * ldw;
            int zj = zOff + j * ldz;
            for (int i = 0; i < n; i++) {
                double s = z[zj + i];
                for (int p = ptr[i], end = ptr[i + 1]; p < end; p++) {
                    s += v[p] * w[wj + idx[p]];
                }
                z[zj + i] = s;
            }
        }
    }

    /** {@code z += X W} in float, W read from the double master copy and rounded to float per element. */
    public static void multiplyAdd(FloatCsrMatrix x, int k, double[] w, int wOff, int ldw, float[] z, int zOff, int ldz) {
        check("sparse multiplyAdd", x, k, w.length, wOff, ldw, z.length, zOff, ldz, false);
        int[] ptr = x.rowPtr();
        int[] idx = x.colIdx();
        float[] v = x.values();
        int n = x.rows();
        for (int j = 0; j < k; j++) {
            int wj = wOff + j * ldw;
            int zj = zOff + j * ldz;
            for (int i = 0; i < n; i++) {
                float s = z[zj + i];
                for (int p = ptr[i], end = ptr[i + 1]; p < end; p++) {
                    s += v[p] * (float) w[wj + idx[p]];
                }
                z[zj + i] = s;
            }
        }
    }

    /** {@code g += X^T dz} in double ({@code dz}: n x k, {@code g}: d x k). */
    public static void transposeMultiplyAdd(CsrMatrix x, int k, double[] dz, int dzOff, int lddz,
                                            double[] g, int gOff, int ldg) {
        check("sparse transposeMultiplyAdd", x, k, g.length, gOff, ldg, dz.length, dzOff, lddz, true);
        int[] ptr = x.rowPtr();
        int[] idx = x.colIdx();
        double[] v = x.values();
        int n = x.rows();
        for (int j = 0; j < k; j++) {
            int gj = gOff + j * ldg;
            int dj = dzOff + j * lddz;
            for (int i = 0; i < n; i++) {
                double d = dz[dj + i];
                if (d == 0.0) continue; // adds nothing: skip the row (exactly the same sums)
                for (int p = ptr[i], end = ptr[i + 1]; p < end; p++) {
                    g[gj + idx[p]] += v[p] * d;
                }
            }
        }
    }

    /** {@code g += X^T dz} with float X and dz, products and sums in double. */
    public static void transposeMultiplyAdd(FloatCsrMatrix x, int k, float[] dz, int dzOff, int lddz,
                                            double[] g, int gOff, int ldg) {
        check("sparse transposeMultiplyAdd", x, k, g.length, gOff, ldg, dz.length, dzOff, lddz, true);
        int[] ptr = x.rowPtr();
        int[] idx = x.colIdx();
        float[] v = x.values();
        int n = x.rows();
        for (int j = 0; j < k; j++) {
            int gj = gOff + j * ldg;
            int dj = dzOff + j * lddz;
            for (int i = 0; i < n; i++) {
                double d = dz[dj + i];
                if (d == 0.0) continue;
                for (int p = ptr[i], end = ptr[i + 1]; p < end; p++) {
                    g[gj + idx[p]] += (double) v[p] * d;
                }
            }
        }
    }

    /**
     * Shapes: the weight-like operand ({@code d x k}: {@code wLen, wOff, ldw}) and the row-like one
     * ({@code n x k}: {@code zLen, zOff, ldz}) must fit their arrays.
     */
    private static void check(String op, SparseRows x, int k, int wLen, int wOff, int ldw,
                              int zLen, int zOff, int ldz, boolean transposed) {
        int n = x.rows();
        int d = x.cols();
        String wName = transposed ? "g" : "w";
        String zName = transposed ? "dz" : "z";
        if (k < 0 || ldw < Math.max(1, d) || wOff < 0 || (k > 0 && (long) wOff + (long) (k - 1) * ldw + d > wLen)) {
            throw new ShapeMismatchException(op + ": x=" + n + "x" + d + ", " + wName + "=" + d + "x" + k
                    + " (ld " + ldw + ", offset " + wOff + ", array " + wLen + ")");
        }
        if (ldz < Math.max(1, n) || zOff < 0 || (k > 0 && (long) zOff + (long) (k - 1) * ldz + n > zLen)) {
            throw new ShapeMismatchException(op + ": x=" + n + "x" + d + ", " + zName + "=" + n + "x" + k
                    + " (ld " + ldz + ", offset " + zOff + ", array " + zLen + ")");
        }
    }
}
