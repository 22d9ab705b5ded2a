package org.descent.math.nn;

import java.util.List;
import org.descent.math.Matrix;

/**
 * A sequential stack of dense layers and a loss. Mini-batches are matrices with one example per
 * ROW: {@code X} is {@code n x in}, layer l computes {@code A_l = act_l(A_{l-1} W_l + 1 b_l^T)}.
 * All parameters live in one flat {@code double[]} laid out by {@link #layout()}.
 *
 * <p>API CONTRACT (skeleton): signatures below are fixed; bodies are filled in by the core work.
 * Call order for a training step: {@code ws = newWorkspace(maxRows)} once per partition, then per
 * block {@code lossAndGradientSum(params, x, y, gradAcc, ws)}; the caller divides by the row count.
 */
public final class Network {
    private final ParameterLayout layout;
    private final LossKind loss;

    public Network(List<LayerSpec> layers, LossKind loss) {
        this.layout = new ParameterLayout(layers);
        this.loss = loss;
        // TODO(core): validate the loss/last-activation combination (SOFTMAX_CE and BCE_LOGITS
        // expect an IDENTITY last layer: the loss applies softmax/sigmoid itself).
    }

    public ParameterLayout layout() { return layout; }

    public LossKind loss() { return loss; }

    public int numParams() { return layout.size(); }

    public int inputSize() { return layout.layers().get(0).in(); }

    public int outputSize() { return layout.layers().get(layout.numLayers() - 1).out(); }

    /** Fresh parameters: weights by {@code init} from a {@code java.util.SplittableRandom(seed)}, biases zero. */
    public double[] initParams(InitKind init, long seed) {
        throw new UnsupportedOperationException("TODO(core)");
    }

    /** Buffers for forward and backward on batches of up to {@code maxRows} rows; one per thread. */
    public Workspace newWorkspace(int maxRows) {
        throw new UnsupportedOperationException("TODO(core)");
    }

    /**
     * Adds to {@code gradAcc} the gradient of the SUM over the rows of {@code x} of the per-example
     * loss, and returns that summed loss. Nothing is allocated per call beyond O(layers) small objects.
     */
    public double lossAndGradientSum(double[] params, Matrix x, Targets y, double[] gradAcc, Workspace ws) {
        throw new UnsupportedOperationException("TODO(core)");
    }

    /** Batch-mean loss; overwrites {@code gradOut} with its gradient. Convenience over the sum form. */
    public double lossAndGradient(double[] params, Matrix x, Targets y, double[] gradOut) {
        throw new UnsupportedOperationException("TODO(core)");
    }

    /** Summed loss only (no gradient), for evaluation. */
    public double lossSum(double[] params, Matrix x, Targets y, Workspace ws) {
        throw new UnsupportedOperationException("TODO(core)");
    }

    /**
     * The model's output for each row, {@code n x outputSize}, written into the workspace and returned
     * (valid until the next call with the same workspace): probabilities for SOFTMAX_CE (softmax) and
     * BCE_LOGITS (sigmoid), raw values for MSE.
     */
    public Matrix predict(double[] params, Matrix x, Workspace ws) {
        throw new UnsupportedOperationException("TODO(core)");
    }

    /** Per-thread buffers, sized for a maximum batch; opaque to callers. */
    public static final class Workspace {
        // TODO(core)
    }
}
