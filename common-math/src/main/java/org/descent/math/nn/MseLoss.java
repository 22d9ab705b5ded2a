package org.descent.math.nn;

import org.descent.math.Matrix;

/**
 * Mean squared error: per example {@code ℓ_i = Σ_k (ŷ_ik - y_ik)^2} (no 1/2, no square root);
 * gradient of the sum {@code 2 (ŷ - y)}. Targets: per-row values for one output, or an n x k matrix.
 */
final class MseLoss implements Loss {
    static final MseLoss INSTANCE = new MseLoss();

    private MseLoss() {}

    @Override
    public LossKind kind() { return LossKind.MSE; }

    @Override
    public double sumAndGradient(Matrix out, Targets y, Matrix grad) {
        TargetChecks.rowsAndShape(LossKind.MSE, out, y, grad);
        double[] t;
        if (y.isMatrix()) {
            t = y.matrix().data();
        } else {
            TargetChecks.singleOutput(LossKind.MSE, out);
            t = y.values();
        }
        int n = out.rows();
        double[] p = out.data();
        double[] g = grad == null ? null : grad.data();
        double s = 0;
        for (int i = 0, len = out.size(); i < len; i++) {
            double ti = t[i];
            if (!Double.isFinite(ti)) {
                throw TargetChecks.badLabel(LossKind.MSE, i % Math.max(n, 1), y.isMatrix() ? i / n : -1, ti,
                        "a finite number");
            }
            double d = p[i] - ti;
            s += d * d;
            if (g != null) {
                g[i] = 2.0 * d;
            }
        }
        return s;
    }

    @Override
    public void predictInPlace(Matrix out) {
        // raw values
    }
}
