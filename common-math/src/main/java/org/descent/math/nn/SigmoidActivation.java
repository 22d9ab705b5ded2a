package org.descent.math.nn;

import org.descent.math.Matrix;

/**
 * Logistic sigmoid {@code a = 1 / (1 + e^{-z})}, evaluated stably by {@link StableMath#sigmoid}
 * (never exponentiates a positive number, so no overflow for large |z|).
 * Derivative {@code da/dz = a (1 - a)}.
 */
final class SigmoidActivation implements Activation {
    static final SigmoidActivation INSTANCE = new SigmoidActivation();

    private SigmoidActivation() {}

    @Override
    public ActivationKind kind() { return ActivationKind.SIGMOID; }

    @Override
    public void forwardInPlace(Matrix z) {
        double[] d = z.data();
        for (int i = 0, n = z.size(); i < n; i++) {
            d[i] = StableMath.sigmoid(d[i]);
        }
    }

    @Override
    public void backwardInPlace(Matrix a, Matrix grad) {
        Checks.sameShape("sigmoid backward", a, grad);
        double[] s = a.data();
        double[] g = grad.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            g[i] *= s[i] * (1.0 - s[i]);
        }
    }

    @Override
    public void forwardInPlace(float[] d, int rows, int cols) {
        for (int i = 0, n = rows * cols; i < n; i++) {
            d[i] = (float) StableMath.sigmoid(d[i]);
        }
    }

    @Override
    public void backwardInPlace(float[] s, float[] g, int rows, int cols) {
        for (int i = 0, n = rows * cols; i < n; i++) {
            g[i] *= s[i] * (1.0f - s[i]);
        }
    }
}
