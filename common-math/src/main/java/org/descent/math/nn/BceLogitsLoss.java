package org.descent.math.nn;

import org.descent.math.Matrix;

/**
 * Binary cross-entropy on logits z with targets y in [0, 1]:
 * {@code ℓ = max(z,0) - z y + log1p(e^{-|z|})} (= {@code -y log σ(z) - (1-y) log(1-σ(z))} without
 * overflow or log(0)); gradient {@code σ(z) - y} with a stable sigmoid. Multi-label outputs sum
 * over columns. Targets: per-row values for one output, or an n x k matrix.
 */
final class BceLogitsLoss implements Loss {
    static final BceLogitsLoss INSTANCE = new BceLogitsLoss();

    private BceLogitsLoss() {}

    @Override
    public LossKind kind() { return LossKind.BCE_LOGITS; }

    @Override
    public double sumAndGradient(Matrix out, Targets y, Matrix grad) {
        TargetChecks.rowsAndShape(LossKind.BCE_LOGITS, out, y, grad);
        double[] t;
        if (y.isMatrix()) {
            t = y.matrix().data();
        } else {
            TargetChecks.singleOutput(LossKind.BCE_LOGITS, out);
            t = y.values();
        }
        int n = out.rows();
        double[] z = out.data();
        double[] g = grad == null ? null : grad.data();
        double s = 0;
        for (int i = 0, len = out.size(); i < len; i++) {
            double ti = t[i];
            if (!(ti >= 0.0 && ti <= 1.0)) {
                throw TargetChecks.badLabel(LossKind.BCE_LOGITS, i % Math.max(n, 1), y.isMatrix() ? i / n : -1, ti,
                        "a label in [0, 1] (0/1 for hard labels)");
            }
            s += StableMath.bceWithLogits(z[i], ti);
            if (g != null) {
                g[i] = StableMath.sigmoid(z[i]) - ti;
            }
        }
        return s;
    }

    @Override
    public void predictInPlace(Matrix out) {
        double[] d = out.data();
        for (int i = 0, n = out.size(); i < n; i++) {
            d[i] = StableMath.sigmoid(d[i]);
        }
    }
}
