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

    static double sigmoid(double z) {
        return z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
    }
}
