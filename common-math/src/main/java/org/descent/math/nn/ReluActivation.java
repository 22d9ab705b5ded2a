package org.descent.math.nn;

import org.descent.math.Matrix;

/**
 * (Leaky) ReLU {@code a = z} for {@code z > 0}, else {@code slope * z} (slope 0 = plain ReLU).
 * Derivative 1 for {@code z > 0}, else {@code slope} (the sub-gradient at 0 is taken as
 * {@code slope}). Since {@code slope >= 0}, {@code a > 0} exactly when {@code z > 0}, so the
 * backward pass reads only {@code a}.
 */
final class ReluActivation implements Activation {
    private final ActivationKind kind;
    private final double slope;

    ReluActivation(ActivationKind kind, double slope) {
        if (!(slope >= 0 && slope < 1)) {
            throw new IllegalArgumentException("leaky ReLU slope must be in [0, 1): " + slope);
        }
        this.kind = kind;
        this.slope = slope;
    }

    @Override
    public ActivationKind kind() { return kind; }

    @Override
    public void forwardInPlace(Matrix z) {
        double[] d = z.data();
        int n = z.size();
        if (slope == 0.0) {
            for (int i = 0; i < n; i++) {
                d[i] = Math.max(d[i], 0.0); // +0.0 for non-positive input (never -0.0)
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            double v = d[i];
            d[i] = v > 0 ? v : slope * v;
        }
    }

    @Override
    public void backwardInPlace(Matrix a, Matrix grad) {
        Checks.sameShape("relu backward", a, grad);
        double[] s = a.data();
        double[] g = grad.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            double v = g[i];
            g[i] = s[i] > 0 ? v : v * slope; // a select, not a branch: the sign pattern is unpredictable
        }
    }

    @Override
    public void forwardInPlace(float[] d, int rows, int cols) {
        int n = rows * cols;
        if (slope == 0.0) {
            for (int i = 0; i < n; i++) {
                d[i] = Math.max(d[i], 0.0f);
            }
            return;
        }
        float s = (float) slope;
        for (int i = 0; i < n; i++) {
            float v = d[i];
            d[i] = v > 0 ? v : s * v;
        }
    }

    @Override
    public void backwardInPlace(float[] a, float[] g, int rows, int cols) {
        float s = (float) slope;
        for (int i = 0, n = rows * cols; i < n; i++) {
            float v = g[i];
            g[i] = a[i] > 0 ? v : v * s;
        }
    }
}
