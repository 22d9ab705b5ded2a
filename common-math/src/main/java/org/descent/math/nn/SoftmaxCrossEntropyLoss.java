package org.descent.math.nn;

import org.descent.math.Matrix;

/**
 * Softmax fused with cross-entropy over logits z (row i, k classes):
 * {@code ℓ_i = Σ_k y_ik (lse_i - z_ik)} with {@code lse_i = m_i + log Σ_j e^{z_ij - m_i}},
 * {@code m_i = max_j z_ij} (max-subtracted, finite for any finite logits). For a class-index label c
 * this is {@code lse_i - z_ic}. Gradient {@code ∂ℓ_i/∂z_ik = (Σ_j y_ij) p_ik - y_ik}, i.e. {@code p - y}
 * for one-hot y, with {@code p = softmax(z)}.
 *
 * <p>Targets: class indices via {@link Targets#ofValues} (integral, in {@code [0, k)}), or an
 * n x k matrix of non-negative weights (one-hot rows, or soft labels) via {@link Targets#ofMatrix}.
 */
final class SoftmaxCrossEntropyLoss implements Loss {
    static final SoftmaxCrossEntropyLoss INSTANCE = new SoftmaxCrossEntropyLoss();

    private SoftmaxCrossEntropyLoss() {}

    @Override
    public LossKind kind() { return LossKind.SOFTMAX_CE; }

    @Override
    public double sumAndGradient(Matrix out, Targets y, Matrix grad) {
        TargetChecks.rowsAndShape(LossKind.SOFTMAX_CE, out, y, grad);
        int n = out.rows();
        int k = out.cols();
        double[] z = out.data();
        double[] g = grad == null ? null : grad.data();
        double[] labels = y.isMatrix() ? null : y.values();
        double[] t = y.isMatrix() ? y.matrix().data() : null;
        double total = 0;
        for (int i = 0; i < n; i++) {
            int label = -1;
            if (labels != null) {
                double v = labels[i];
                label = (int) v;
                if (label != v || label < 0 || label >= k) {
                    throw TargetChecks.badLabel(LossKind.SOFTMAX_CE, i, -1, v,
                            "a class index, an integer in [0, " + (k - 1) + "]");
                }
            }
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                m = Math.max(m, z[i + j * n]);
            }
            double s = 0;
            for (int j = 0; j < k; j++) {
                double e = Math.exp(z[i + j * n] - m);
                s += e;
                if (g != null) {
                    g[i + j * n] = e;
                }
            }
            double lse = m + Math.log(s);
            if (labels != null) {
                total += lse - z[i + label * n];
                if (g != null) {
                    double inv = 1.0 / s;
                    for (int j = 0; j < k; j++) {
                        g[i + j * n] *= inv;
                    }
                    g[i + label * n] -= 1.0;
                }
            } else {
                double weight = 0;
                for (int j = 0; j < k; j++) {
                    double tj = t[i + j * n];
                    if (!(tj >= 0.0 && tj < Double.POSITIVE_INFINITY)) {
                        throw TargetChecks.badLabel(LossKind.SOFTMAX_CE, i, j, tj,
                                "a finite non-negative weight (one-hot rows for hard labels)");
                    }
                    if (tj != 0.0) {
                        total += tj * (lse - z[i + j * n]);
                        weight += tj;
                    }
                }
                if (g != null) {
                    double scale = weight / s;
                    for (int j = 0; j < k; j++) {
                        g[i + j * n] = g[i + j * n] * scale - t[i + j * n];
                    }
                }
            }
        }
        return total;
    }

    @Override
    public void predictInPlace(Matrix out) {
        SoftmaxActivation.softmaxRowsInPlace(out);
    }
}
