package org.descent.math.optim;

import java.io.Serializable;
import org.descent.math.nn.ParameterLayout;

/**
 * One synchronous optimizer step from a mini-batch's summed gradient, the same code wherever it runs (the
 * driver for the broadcast-collect exchange, every task for the allreduce exchange), so both give the same
 * bits:
 *
 * <pre>
 *   g     = gradSum * (1 / n)                      (n = rows of the step; one multiply per entry)
 *   loss  = lossSum * (1 / n) + R(w)               ({@link Regularization}; g += dR/dw)
 *   norm  = ||g|| before clipping                  ({@link GradientClipping#apply})
 *   w     = optimizer.step(w, g, t)                (learning rate from the optimizer's schedule at step t)
 * </pre>
 *
 * A non-finite loss or pre-clip norm stops before the optimizer step ({@link Status#NON_FINITE_LOSS}); non-finite
 * parameters after it give {@link Status#NON_FINITE_PARAMS}. The caller decides what to do (the trainer stops the
 * run and writes no model). Holds no per-step state: {@code grad} is the caller's scratch buffer.
 */
public record MiniBatchUpdate(Regularization regularization, GradientClipping clipping) implements Serializable {

    /** What a step ended in. */
    public enum Status { OK, NON_FINITE_LOSS, NON_FINITE_PARAMS }

    /** The step's loss (data + penalty), pre-clip gradient norm, learning rate and status. */
    public record Outcome(double loss, double gradNorm, double learningRate, Status status) {}

    /**
     * Applies step {@code t}: writes the mean gradient into {@code grad} (scratch, model length), then updates
     * {@code params} and the optimizer in place (unless the loss or norm is not finite).
     */
    public Outcome apply(double[] params, double[] gradSum, double lossSum, long rows, long t, Optimizer optimizer,
                         ParameterLayout layout, double[] grad) {
        double inv = 1.0 / rows;
        for (int i = 0; i < grad.length; i++) grad[i] = gradSum[i] * inv;
        double loss = lossSum * inv + regularization.addPenaltyGradient(params, grad, layout);
        double norm = clipping.apply(grad);
        double lr = optimizer.learningRate(t);
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            return new Outcome(loss, norm, lr, Status.NON_FINITE_LOSS);
        }
        optimizer.step(params, grad, t);
        for (double v : params) {
            if (!Double.isFinite(v)) return new Outcome(loss, norm, lr, Status.NON_FINITE_PARAMS);
        }
        return new Outcome(loss, norm, lr, Status.OK);
    }
}
