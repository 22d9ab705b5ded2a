package org.descent.math.nn;

import org.descent.math.Matrix;

/**
 * Row-wise softmax {@code p_k = exp(z_k - m) / Σ_j exp(z_j - m)} with {@code m = max_j z_j}
 * subtracted first, so no exponent is positive: finite for logits of any size (±1000 included).
 *
 * <p>Backward is the Jacobian-vector product per row: with upstream {@code g = dL/dp},
 * {@code dL/dz_k = p_k (g_k - Σ_j p_j g_j)}; the k x k Jacobian {@code diag(p) - p p^T} is never formed.
 */
final class SoftmaxActivation implements Activation {
    static final SoftmaxActivation INSTANCE = new SoftmaxActivation();

    private SoftmaxActivation() {}

    @Override
    public ActivationKind kind() { return ActivationKind.SOFTMAX; }

    @Override
    public void forwardInPlace(Matrix z) {
        softmaxRowsInPlace(z);
    }

    /** Row-wise max-subtracted softmax over {@code z}, in place. */
    static void softmaxRowsInPlace(Matrix z) {
        int r = z.rows();
        int c = z.cols();
        double[] d = z.data();
        for (int i = 0; i < r; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                m = Math.max(m, d[i + j * r]);
            }
            double s = 0;
            for (int j = 0; j < c; j++) {
                double e = Math.exp(d[i + j * r] - m);
                d[i + j * r] = e;
                s += e;
            }
            double inv = 1.0 / s;
            for (int j = 0; j < c; j++) {
                d[i + j * r] *= inv;
            }
        }
    }

    @Override
    public void backwardInPlace(Matrix a, Matrix grad) {
        Checks.sameShape("softmax backward", a, grad);
        int r = a.rows();
        int c = a.cols();
        double[] p = a.data();
        double[] g = grad.data();
        for (int i = 0; i < r; i++) {
            double dot = 0;
            for (int j = 0; j < c; j++) {
                dot += p[i + j * r] * g[i + j * r];
            }
            for (int j = 0; j < c; j++) {
                int k = i + j * r;
                g[k] = p[k] * (g[k] - dot);
            }
        }
    }

    /** Float32 softmax, max-subtracted; exponentials, row sum and the dot product accumulate in double. */
    @Override
    public void forwardInPlace(float[] d, int r, int c) {
        for (int i = 0; i < r; i++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                m = Math.max(m, d[i + j * r]);
            }
            double s = 0;
            for (int j = 0; j < c; j++) {
                double e = Math.exp((double) d[i + j * r] - m);
                d[i + j * r] = (float) e;
                s += e;
            }
            float inv = (float) (1.0 / s);
            for (int j = 0; j < c; j++) {
                d[i + j * r] *= inv;
            }
        }
    }

    @Override
    public void backwardInPlace(float[] p, float[] g, int r, int c) {
        for (int i = 0; i < r; i++) {
            double dot = 0;
            for (int j = 0; j < c; j++) {
                dot += (double) p[i + j * r] * g[i + j * r];
            }
            float fdot = (float) dot;
            for (int j = 0; j < c; j++) {
                int k = i + j * r;
                g[k] = p[k] * (g[k] - fdot);
            }
        }
    }
}
