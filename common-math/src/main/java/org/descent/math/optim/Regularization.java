package org.descent.math.optim;

import org.descent.math.ShapeMismatchException;
import org.descent.math.nn.ParameterLayout;

/**
 * L1 / L2 penalty on the parameters, added to the data loss as
 *
 * <pre>
 *   R(w) = l1 * sum_i |w_i|  +  (l2 / 2) * sum_i w_i^2        (sum over penalised entries)
 *   dR/dw_i = l1 * sign(w_i) + l2 * w_i
 * </pre>
 *
 * The L2 term carries the factor 1/2 so that its gradient is exactly {@code l2 * w} (so {@code l2} is
 * the same number as "weight decay" in plain SGD). |w| is not differentiable at 0: the L1 term uses
 * the subgradient {@code l1 * sign(w)} with {@code sign(0) = 0}. Biases (per
 * {@link ParameterLayout.Kind#BIAS}) are not penalised unless {@code penalizeBiases} is true.
 *
 * <p>Call order per step: data gradient → {@link #addPenaltyGradient} → {@link GradientClipping#apply}
 * → {@link Optimizer#step}. Penalty and gradient must be evaluated at the same parameters.
 */
public record Regularization(double l1, double l2, boolean penalizeBiases) implements java.io.Serializable {
    public Regularization {
        OptimizerSupport.requireNonNegative("l1", l1);
        OptimizerSupport.requireNonNegative("l2", l2);
    }

    /** Biases exempt. */
    public Regularization(double l1, double l2) {
        this(l1, l2, false);
    }

    public static Regularization none() {
        return new Regularization(0, 0, false);
    }

    public static Regularization l2(double lambda) {
        return new Regularization(0, lambda, false);
    }

    public static Regularization l1(double lambda) {
        return new Regularization(lambda, 0, false);
    }

    public boolean isNone() {
        return l1 == 0 && l2 == 0;
    }

    /**
     * Adds {@code dR/dw} into {@code grad} (in place) and returns {@code R(w)}, the value to add to the
     * reported loss. Allocates nothing. With {@link #isNone()} it leaves {@code grad} untouched and
     * returns 0.
     *
     * @throws ShapeMismatchException if {@code params} or {@code grad} do not have {@code layout.size()} entries
     */
    public double addPenaltyGradient(double[] params, double[] grad, ParameterLayout layout) {
        if (params.length != layout.size() || grad.length != layout.size()) {
            throw new ShapeMismatchException("regularization: params=" + params.length + "x1, grad=" + grad.length
                    + "x1 (layout has " + layout.size() + " parameters)");
        }
        if (isNone()) {
            return 0;
        }
        double sumAbs = 0;
        double sumSq = 0;
        for (ParameterLayout.Segment s : layout.segments()) {
            if (s.kind() == ParameterLayout.Kind.BIAS && !penalizeBiases) {
                continue;
            }
            for (int i = s.offset(), end = s.offset() + s.length(); i < end; i++) {
                double w = params[i];
                sumAbs += Math.abs(w);
                sumSq += w * w;
                grad[i] += l1 * Math.signum(w) + l2 * w;
            }
        }
        return l1 * sumAbs + 0.5 * l2 * sumSq;
    }
}
