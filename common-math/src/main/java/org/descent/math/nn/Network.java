package org.descent.math.nn;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.descent.math.Blas;
import org.descent.math.Matrix;
import org.descent.math.MatrixOps;
import org.descent.math.ShapeMismatchException;

/**
 * A sequential stack of dense layers and a loss. Mini-batches are matrices with one example per
 * ROW: {@code X} is {@code n x in}, layer l computes {@code A_l = act_l(A_{l-1} W_l + 1 b_l^T)}.
 * All parameters live in one flat {@code double[]} laid out by {@link #layout()}.
 *
 * <p>Call order for a training step: {@code ws = newWorkspace(maxRows)} once per partition/thread,
 * then per block {@code lossAndGradientSum(params, x, y, gradAcc, ws)}; the caller divides the
 * summed loss and gradient by the total row count. A workspace serves any batch of up to
 * {@code maxRows} rows (its buffers are re-wrapped, never re-allocated).
 *
 * <p>Maths, with {@code n} rows, {@code A_0 = X}, layers {@code l = 1..L}:
 * <ul>
 *   <li>forward: {@code Z_l = A_{l-1} W_l + 1 b_l^T} (one GEMM onto Z pre-filled with the bias),
 *       {@code A_l = act_l(Z_l)} in place;</li>
 *   <li>loss: {@code S = Σ_i ℓ(A_L[i], y_i)}, {@code G = ∂S/∂A_L};</li>
 *   <li>backward: {@code dZ_l = act_l'(G)} (Jacobian-vector product given {@code A_l}),
 *       {@code dW_l += A_{l-1}^T dZ_l} (GEMM with beta = 1 straight into the flat gradient),
 *       {@code db_l += 1^T dZ_l} (column sums), {@code G = dZ_l W_l^T} (GEMM) for the layer below.</li>
 * </ul>
 * SOFTMAX_CE and BCE_LOGITS apply softmax/sigmoid inside the loss, so they require an IDENTITY last
 * layer. Instances are immutable and thread-safe; workspaces are not (one per thread).
 */
public final class Network implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ParameterLayout layout;
    private final LossKind loss;
    private final transient Activation[] activations;
    private final transient Loss lossFn;

    public Network(List<LayerSpec> layers, LossKind loss) {
        if (layers == null || loss == null) {
            throw new IllegalArgumentException("network needs a layer list and a loss (got "
                    + (layers == null ? "null layers" : "null loss") + ")");
        }
        this.layout = new ParameterLayout(layers);
        this.loss = loss;
        LayerSpec last = layers.get(layers.size() - 1);
        if ((loss == LossKind.SOFTMAX_CE || loss == LossKind.BCE_LOGITS)
                && last.activation() != ActivationKind.IDENTITY) {
            throw new IllegalArgumentException(loss + " applies " + (loss == LossKind.SOFTMAX_CE ? "softmax" : "sigmoid")
                    + " to the logits itself, so the last layer (layer " + (layers.size() - 1)
                    + ") must use activation IDENTITY, not " + last.activation());
        }
        if (loss == LossKind.SOFTMAX_CE && last.out() < 2) {
            throw new IllegalArgumentException("SOFTMAX_CE needs at least 2 outputs (classes), the last layer has "
                    + last.out() + "; for a binary label use BCE_LOGITS with 1 output");
        }
        this.activations = new Activation[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            activations[l] = Activation.of(layers.get(l));
        }
        this.lossFn = Loss.of(loss);
    }

    public ParameterLayout layout() { return layout; }

    public LossKind loss() { return loss; }

    public int numParams() { return layout.size(); }

    public int inputSize() { return layout.layers().get(0).in(); }

    public int outputSize() { return layout.layers().get(layout.numLayers() - 1).out(); }

    /** Fresh parameters: weights by {@code init} from a {@code java.util.SplittableRandom(seed)}, biases zero. */
    public double[] initParams(InitKind init, long seed) {
        return Initializers.initialise(layout, init, seed);
    }

    /** Buffers for forward and backward on batches of up to {@code maxRows} rows; one per thread. */
    public Workspace newWorkspace(int maxRows) {
        return new Workspace(layout, maxRows);
    }

    /**
     * Adds to {@code gradAcc} the gradient of the SUM over the rows of {@code x} of the per-example
     * loss, and returns that summed loss. Nothing is allocated per call beyond O(layers) small objects.
     * Targets are validated before {@code gradAcc} is touched.
     */
    public double lossAndGradientSum(double[] params, Matrix x, Targets y, double[] gradAcc, Workspace ws) {
        checkBuffer("gradAcc", gradAcc);
        int n = checkBatch(params, x, y, ws);
        if (n == 0) {
            return 0.0;
        }
        Matrix out = forward(params, x, ws);
        Matrix delta = Matrix.wrap(n, outputSize(), ws.deltaA);
        double sum = lossFn.sumAndGradient(out, y, delta);
        activations[activations.length - 1].backwardInPlace(out, delta);
        backward(params, x, gradAcc, ws);
        return sum;
    }

    /** Batch-mean loss; overwrites {@code gradOut} with its gradient. Convenience over the sum form. */
    public double lossAndGradient(double[] params, Matrix x, Targets y, double[] gradOut) {
        checkBuffer("gradOut", gradOut);
        Workspace ws = newWorkspace(Math.max(1, x.rows()));
        Arrays.fill(gradOut, 0.0);
        double sum = lossAndGradientSum(params, x, y, gradOut, ws);
        int n = x.rows();
        if (n == 0) {
            return 0.0;
        }
        double inv = 1.0 / n;
        for (int i = 0; i < gradOut.length; i++) {
            gradOut[i] *= inv;
        }
        return sum * inv;
    }

    /** Summed loss only (no gradient), for evaluation. */
    public double lossSum(double[] params, Matrix x, Targets y, Workspace ws) {
        int n = checkBatch(params, x, y, ws);
        if (n == 0) {
            return 0.0;
        }
        return lossFn.sum(forward(params, x, ws), y);
    }

    /** Batch-mean loss (allocates a workspace: for tests and small evaluations). */
    public double lossMean(double[] params, Matrix x, Targets y) {
        int n = x.rows();
        return n == 0 ? 0.0 : lossSum(params, x, y, newWorkspace(n)) / n;
    }

    /**
     * The model's output for each row, {@code n x outputSize}, written into the workspace and returned
     * (valid until the next call with the same workspace): probabilities for SOFTMAX_CE (softmax) and
     * BCE_LOGITS (sigmoid), raw values for MSE.
     */
    public Matrix predict(double[] params, Matrix x, Workspace ws) {
        checkInput(params, x, ws);
        Matrix out = forward(params, x, ws);
        lossFn.predictInPlace(out);
        return out;
    }

    // ------------------------------------------------------------------------------ internals

    /** Forward pass over {@code x.rows()} rows; returns {@code A_L} (a view of the workspace). */
    private Matrix forward(double[] params, Matrix x, Workspace ws) {
        int n = x.rows();
        double[] prev = x.data();
        Matrix a = null;
        for (int l = 0; l < activations.length; l++) {
            LayerSpec s = layout.layers().get(l);
            double[] buf = ws.acts[l];
            int bOff = layout.biasOffset(l);
            for (int j = 0; j < s.out(); j++) {
                Arrays.fill(buf, j * n, (j + 1) * n, params[bOff + j]);
            }
            Blas.gemm(false, false, n, s.out(), s.in(), 1.0, prev, 0, n,
                    params, layout.weightOffset(l), s.in(), 1.0, buf, 0, n);
            a = Matrix.wrap(n, s.out(), buf);
            activations[l].forwardInPlace(a);
            prev = buf;
        }
        return a;
    }

    /** Backward pass; on entry {@code ws.deltaA} holds dZ_L, the activations are from {@link #forward}. */
    private void backward(double[] params, Matrix x, double[] gradAcc, Workspace ws) {
        int n = x.rows();
        double[] cur = ws.deltaA;
        double[] other = ws.deltaB;
        for (int l = activations.length - 1; l >= 0; l--) {
            LayerSpec s = layout.layers().get(l);
            double[] prev = l == 0 ? x.data() : ws.acts[l - 1];
            int wOff = layout.weightOffset(l);
            // dW_l += A_{l-1}^T dZ_l  (in x n)(n x out)
            Blas.gemm(true, false, s.in(), s.out(), n, 1.0, prev, 0, n, cur, 0, n, 1.0, gradAcc, wOff, s.in());
            // db_l += 1^T dZ_l
            MatrixOps.addColumnSums(Matrix.wrap(n, s.out(), cur), gradAcc, layout.biasOffset(l));
            if (l > 0) {
                // dA_{l-1} = dZ_l W_l^T  (n x out)(out x in)
                Blas.gemm(false, true, n, s.in(), s.out(), 1.0, cur, 0, n, params, wOff, s.in(), 0.0, other, 0, n);
                activations[l - 1].backwardInPlace(Matrix.wrap(n, s.in(), prev), Matrix.wrap(n, s.in(), other));
                double[] t = cur;
                cur = other;
                other = t;
            }
        }
    }

    private int checkBatch(double[] params, Matrix x, Targets y, Workspace ws) {
        checkInput(params, x, ws);
        if (y == null || y.size() != x.rows()) {
            throw new IllegalArgumentException("batch has " + x.rows() + " rows but "
                    + (y == null ? "no" : String.valueOf(y.size())) + " targets; pass one target per row");
        }
        return x.rows();
    }

    private void checkInput(double[] params, Matrix x, Workspace ws) {
        checkBuffer("params", params);
        if (x.cols() != inputSize()) {
            throw ShapeMismatchException.of("network input", "x", x.rows(), x.cols(),
                    "layer0.W", inputSize(), layout.layers().get(0).out());
        }
        if (ws == null || !ws.layers.equals(layout.layers())) {
            throw new IllegalArgumentException("workspace was not made by this network's newWorkspace(maxRows)");
        }
        if (x.rows() > ws.maxRows) {
            throw new IllegalArgumentException("batch of " + x.rows() + " rows exceeds the workspace's maxRows="
                    + ws.maxRows + "; make a larger newWorkspace(maxRows) or split the batch");
        }
    }

    private void checkBuffer(String name, double[] buf) {
        if (buf == null || buf.length != layout.size()) {
            throw new IllegalArgumentException(name + " has " + (buf == null ? "no array" : buf.length + " entries")
                    + " but the network has " + layout.size() + " parameters (" + layout + ")");
        }
    }

    private Object writeReplace() {
        return new SerializedForm(layout.layers(), loss);
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
        throw new java.io.InvalidObjectException("Network is serialised through its SerializedForm");
    }

    /** Serialisation proxy: the layer specs and the loss, rebuilt through the constructor. */
    private record SerializedForm(List<LayerSpec> layers, LossKind loss) implements Serializable {
        private Object readResolve() {
            return new Network(layers, loss);
        }
    }

    /**
     * Per-thread buffers, sized for a maximum batch: one activation buffer per layer
     * ({@code maxRows * out_l}) and two ping-pong gradient buffers ({@code maxRows * max_l out_l}).
     */
    public static final class Workspace {
        private final List<LayerSpec> layers;
        private final int maxRows;
        private final double[][] acts;
        private final double[] deltaA;
        private final double[] deltaB;

        private Workspace(ParameterLayout layout, int maxRows) {
            if (maxRows <= 0) {
                throw new IllegalArgumentException("workspace maxRows must be positive: " + maxRows);
            }
            this.layers = layout.layers();
            this.maxRows = maxRows;
            this.acts = new double[layers.size()][];
            int widest = 0;
            for (int l = 0; l < layers.size(); l++) {
                int out = layers.get(l).out();
                acts[l] = new double[Math.multiplyExact(maxRows, out)];
                widest = Math.max(widest, out);
            }
            this.deltaA = new double[Math.multiplyExact(maxRows, widest)];
            this.deltaB = new double[deltaA.length];
        }

        /** The largest batch this workspace serves. */
        public int maxRows() { return maxRows; }
    }
}
