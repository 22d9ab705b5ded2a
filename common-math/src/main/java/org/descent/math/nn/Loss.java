package org.descent.math.nn;

import org.descent.math.Matrix;
import org.descent.math.MatrixOps;

/**
 * A loss over a mini-batch whose network output {@code out} has one example per row ({@code n x k}):
 * predictions for {@link LossKind#MSE}, logits for {@link LossKind#BCE_LOGITS} and
 * {@link LossKind#SOFTMAX_CE} (those two apply the sigmoid / softmax themselves, fused, for
 * stability). The loss reported to users is the batch MEAN {@code (1/n) Σ_i ℓ_i};
 * {@link #sumAndGradient} is the SUM form that Spark partitions add up before dividing once.
 *
 * <p>Targets are validated on every call (row count, shape, label values) and a bad label is
 * reported with its row. Implementations are stateless and thread-safe.
 */
public interface Loss {
    LossKind kind();

    /**
     * Returns {@code Σ_i ℓ(out_i, y_i)}; when {@code grad} is non-null (same shape as {@code out},
     * may not share its array) it is OVERWRITTEN with {@code ∂(Σ_i ℓ_i)/∂out}.
     *
     * @throws IllegalArgumentException for targets of the wrong size, shape or value
     */
    double sumAndGradient(Matrix out, Targets y, Matrix grad);

    /**
     * Maps the raw network output to what a caller predicts, in place: softmax probabilities
     * (SOFTMAX_CE), sigmoid probabilities (BCE_LOGITS) or the values unchanged (MSE).
     */
    void predictInPlace(Matrix out);

    /** {@code Σ_i ℓ_i} without a gradient. */
    default double sum(Matrix out, Targets y) {
        return sumAndGradient(out, y, null);
    }

    /** The batch mean {@code (1/n) Σ_i ℓ_i} (0 for an empty batch). */
    default double mean(Matrix out, Targets y) {
        int n = out.rows();
        return n == 0 ? 0.0 : sum(out, y) / n;
    }

    /** Batch mean, overwriting {@code grad} with the gradient of that mean, i.e. the sum form / n. */
    default double meanAndGradient(Matrix out, Targets y, Matrix grad) {
        int n = out.rows();
        double s = sumAndGradient(out, y, grad);
        if (n == 0) {
            return 0.0;
        }
        MatrixOps.scaleInPlace(grad, 1.0 / n);
        return s / n;
    }

    static Loss of(LossKind kind) {
        return switch (kind) {
            case MSE -> MseLoss.INSTANCE;
            case BCE_LOGITS -> BceLogitsLoss.INSTANCE;
            case SOFTMAX_CE -> SoftmaxCrossEntropyLoss.INSTANCE;
        };
    }
}
