package org.descent.math.nn;

import org.descent.math.Matrix;

/** {@code a = tanh(z)}; derivative {@code da/dz = 1 - a^2}. */
final class TanhActivation implements Activation {
    static final TanhActivation INSTANCE = new TanhActivation();

    private TanhActivation() {}

    @Override
    public ActivationKind kind() { return ActivationKind.TANH; }

    @Override
    public void forwardInPlace(Matrix z) {
        double[] d = z.data();
        for (int i = 0, n = z.size(); i < n; i++) {
            d[i] = Math.tanh(d[i]);
        }
    }

    @Override
    public void backwardInPlace(Matrix a, Matrix grad) {
        Checks.sameShape("tanh backward", a, grad);
        double[] t = a.data();
        double[] g = grad.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            g[i] *= 1.0 - t[i] * t[i];
        }
    }

    @Override
    public void forwardInPlace(float[] d, int rows, int cols) {
        for (int i = 0, n = rows * cols; i < n; i++) {
            d[i] = (float) Math.tanh(d[i]);
        }
    }

    @Override
    public void backwardInPlace(float[] t, float[] g, int rows, int cols) {
        for (int i = 0, n = rows * cols; i < n; i++) {
            g[i] *= 1.0f - t[i] * t[i];
        }
    }
}
