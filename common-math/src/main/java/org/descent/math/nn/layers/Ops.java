package org.descent.math.nn.layers;

import java.util.Arrays;
import org.descent.math.Blas;
import org.descent.math.Matrix;
import org.descent.math.nn.Activation;
import org.descent.math.nn.ActivationKind;

/** Small column-major helpers shared by the layers (all on array regions, nothing allocated). */
final class Ops {
    private Ops() {}

    /** Column j of the {@code rows x cols} region at {@code off} := {@code params[bOff + j]}. */
    static void fillBias(double[] buf, int off, int rows, int cols, double[] params, int bOff) {
        for (int j = 0; j < cols; j++) {
            Arrays.fill(buf, off + j * rows, off + (j + 1) * rows, params[bOff + j]);
        }
    }

    /** {@code grad[gOff + j] += Σ_i src[off + i + j rows]}. */
    static void addColumnSums(double[] src, int off, int rows, int cols, double[] grad, int gOff) {
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int i = off + j * rows, end = i + rows; i < end; i++) {
                s += src[i];
            }
            grad[gOff + j] += s;
        }
    }

    /** {@code c = op(a) op(b) + (accumulate ? c : 0)} on column-major regions. */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, double[] a, int offA, int lda,
                     double[] b, int offB, int ldb, boolean accumulate, double[] c, int offC, int ldc) {
        Blas.gemm(ta, tb, m, n, k, 1.0, a, offA, lda, b, offB, ldb, accumulate ? 1.0 : 0.0, c, offC, ldc);
    }

    /** An element-wise activation for a conv/dense layer; softmax is only meaningful on a last dense layer. */
    static Activation activation(ActivationKind kind, double leakySlope) {
        return Activation.of(kind, leakySlope);
    }

    static void activationForward(Activation act, double[] z, int rows, int cols) {
        if (act.kind() != ActivationKind.IDENTITY) {
            act.forwardInPlace(Matrix.wrap(rows, cols, z));
        }
    }

    static void activationBackward(Activation act, double[] a, double[] grad, int rows, int cols) {
        if (act.kind() != ActivationKind.IDENTITY) {
            act.backwardInPlace(Matrix.wrap(rows, cols, a), Matrix.wrap(rows, cols, grad));
        }
    }

    /** Float twin of {@link #fillBias}: column j := {@code (float) params[bOff + j]} of the float copy. */
    static void fillBias(float[] buf, int off, int rows, int cols, float[] params, int bOff) {
        for (int j = 0; j < cols; j++) {
            Arrays.fill(buf, off + j * rows, off + (j + 1) * rows, params[bOff + j]);
        }
    }

    /** Float twin of {@link #addColumnSums}: each column summed in double, rounded once when added. */
    static void addColumnSums(float[] src, int off, int rows, int cols, float[] grad, int gOff) {
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int i = off + j * rows, end = i + rows; i < end; i++) {
                s += src[i];
            }
            grad[gOff + j] = (float) (grad[gOff + j] + s);
        }
    }

    /** Float twin of {@link #gemm} (sgemm). */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, float[] a, int offA, int lda,
                     float[] b, int offB, int ldb, boolean accumulate, float[] c, int offC, int ldc) {
        Blas.sgemm(ta, tb, m, n, k, 1.0f, a, offA, lda, b, offB, ldb, accumulate ? 1.0f : 0.0f, c, offC, ldc);
    }

    static void activationForward(Activation act, float[] z, int rows, int cols) {
        if (act.kind() != ActivationKind.IDENTITY) {
            act.forwardInPlace(z, rows, cols);
        }
    }

    static void activationBackward(Activation act, float[] a, float[] grad, int rows, int cols) {
        if (act.kind() != ActivationKind.IDENTITY) {
            act.backwardInPlace(a, grad, rows, cols);
        }
    }

    /**
     * {@code σ(z)} with {@code e = exp(-|z|)}: {@code 1 / (1 + e)} for {@code z >= 0}, {@code e / (1 + e)}
     * below (exp never overflows); one exp and a select, no data-dependent branch.
     */
    static double sigmoid(double z) {
        double e = Math.exp(-Math.abs(z));
        double inv = 1.0 / (1.0 + e);
        return z >= 0 ? inv : e * inv;
    }

    /**
     * {@code tanh(z) = sign(z) (1 - 2 / (exp(2|z|) + 1))}: one intrinsic exp instead of the JDK's
     * {@code StrictMath.tanh} (a native fdlibm call per element on JDK 17). Absolute error about one ulp of
     * 1 (1.1e-16), so tiny arguments lose relative accuracy but not absolute; {@code exp} overflowing to
     * infinity gives exactly ±1; NaN stays NaN.
     */
    static double tanh(double z) {
        double t = 1.0 - 2.0 / (Math.exp(2.0 * Math.abs(z)) + 1.0);
        return z >= 0 ? t : -t;
    }
}
