package org.descent.math.nn;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.ShapeMismatchException;
import org.descent.math.nn.layers.Layer;
import org.descent.math.nn.layers.LayerDef;
import org.descent.math.nn.layers.Shape;
import org.descent.math.sparse.SparseRows;

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
 * layer. The layer loop itself lives in {@link LayerPass}, once for both {@link Precision}s; a
 * {@code newWorkspace(maxRows, Precision.FLOAT32)} workspace runs it in float (sgemm) while
 * parameters, gradient accumulator and loss stay double. Instances are immutable and thread-safe; workspaces are not (one per thread).
 *
 * <p>Every entry point also takes the input as a sparse block ({@link SparseRows}: CSR with double or
 * float values): only the first layer's {@code Z_1 = X W_1} and {@code dW_1 += X^T dZ_1} change (sparse x
 * dense kernels; the W_1 gradient touches only the features present in the block); the result equals the
 * dense path's on the densified block up to summation order. A workspace for a wide sparse input holds
 * nothing of size {@code maxRows x inputSize}.
 *
 * <p>{@link #of(Shape, List, LossKind)} builds a network from general layers
 * ({@link LayerDef}: convolution, pooling, flatten, tanh RNN, LSTM, dense) over an input of shape
 * {@code channels x height x width} or {@code time x features}; the entry points are the same, the
 * layer loop is {@link StackPass} (float64 or float32, dense input blocks) and the parameters are still one flat
 * buffer laid out by {@link #layout()}. A stack of only dense (and flatten) layers IS a dense network:
 * same class, same pass, same bits.
 */
public final class Network implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ParameterLayout layout;
    private final LossKind loss;
    private final transient Activation[] activations;
    private final transient Loss lossFn;
    /** Non-null only for a general stack (see {@link #of}): its input shape, definitions and layers. */
    private final Shape stackInput;
    private final List<LayerDef> stackDefs;
    private final transient Layer[] stack;

    public Network(List<LayerSpec> layers, LossKind loss) {
        if (layers == null || loss == null) {
            throw new IllegalArgumentException("network needs a layer list and a loss (got "
                    + (layers == null ? "null layers" : "null loss") + ")");
        }
        this.layout = new ParameterLayout(layers);
        this.loss = loss;
        NetworkChecks.denseOutputLayer(layers, loss);
        this.activations = new Activation[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            activations[l] = Activation.of(layers.get(l));
        }
        this.lossFn = Loss.of(loss);
        this.stackInput = null;
        this.stackDefs = null;
        this.stack = null;
    }

    /**
     * A network of general layers over examples of shape {@code input} (the block's columns map onto it
     * as {@link Shape} describes). The last layer must be dense (the output layer). Only dense and
     * flatten layers: the dense network of {@link #Network(List, LossKind)} on the flattened input.
     *
     * @throws ShapeMismatchException when a layer cannot take what the previous one gives, naming the
     *         layer and both shapes
     */
    public static Network of(Shape input, List<LayerDef> layers, LossKind loss) {
        if (input == null || layers == null || layers.isEmpty() || loss == null) {
            throw new IllegalArgumentException("network needs an input shape, a non-empty layer list and a loss");
        }
        if (!(layers.get(layers.size() - 1) instanceof LayerDef.Dense)) {
            throw new IllegalArgumentException("the last layer must be dense (the output layer), got "
                    + layers.get(layers.size() - 1).describe());
        }
        List<LayerSpec> dense = new java.util.ArrayList<>();
        int in = input.size();
        for (LayerDef d : layers) {
            if (d instanceof LayerDef.Dense dd) {
                dense.add(new LayerSpec(in, dd.units(), dd.activation(), dd.leakySlope()));
                in = dd.units();
            } else if (!(d instanceof LayerDef.Flatten)) {
                return new Network(input, layers, loss);
            }
        }
        return new Network(dense, loss);
    }

    private Network(Shape input, List<LayerDef> defs, LossKind loss) {
        this.stackInput = input;
        this.stackDefs = List.copyOf(defs);
        this.loss = loss;
        this.stack = new Layer[defs.size()];
        List<ActivationKind> acts = new java.util.ArrayList<>();
        Shape s = input;
        for (int l = 0; l < defs.size(); l++) {
            LayerDef d = defs.get(l);
            stack[l] = d.build(s, l);
            s = stack[l].outShape();
            acts.add(d instanceof LayerDef.Dense dd ? dd.activation()
                    : d instanceof LayerDef.Conv2D c ? c.activation()
                    : d instanceof LayerDef.Recurrent r && !r.lstm() ? ActivationKind.TANH : ActivationKind.IDENTITY);
        }
        this.layout = ParameterLayout.ofStack(List.of(stack), acts);
        NetworkChecks.stackOutputLayer(defs, loss);
        this.activations = null;
        this.lossFn = Loss.of(loss);
    }

    /** The shape of one example: {@code [inputSize]} for a dense network. */
    public Shape inputShape() { return stackInput != null ? stackInput : Shape.of(inputSize()); }

    /** True when the network has conv, pooling or recurrent layers (dense input only). */
    public boolean isStack() { return stack != null; }

    /** One line per layer, e.g. {@code conv2d 16 filters 5x5 stride 1 padding 0 relu: 1x28x28 -> 16x24x24}. */
    public List<String> describeLayers() {
        List<String> out = new java.util.ArrayList<>();
        for (int l = 0; l < layout.numLayers(); l++) {
            if (stack != null) {
                out.add(stack[l].describe() + ": " + stack[l].inShape() + " -> " + stack[l].outShape());
            } else {
                LayerSpec s = layout.layers().get(l);
                out.add("dense " + s.out() + " " + s.activation().name().toLowerCase(java.util.Locale.ROOT)
                        + ": " + s.in() + " -> " + s.out());
            }
        }
        return out;
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

    /** FLOAT64 buffers for forward and backward on batches of up to {@code maxRows} rows; one per thread. */
    public Workspace newWorkspace(int maxRows) {
        return newWorkspace(maxRows, Precision.FLOAT64);
    }

    /**
     * Buffers for batches of up to {@code maxRows} rows, computing in {@code precision}; one per
     * thread. Every entry point below runs in the workspace's precision; parameters, the gradient
     * accumulator and the returned loss stay double either way.
     */
    public Workspace newWorkspace(int maxRows, Precision precision) {
        if (maxRows <= 0) {
            throw new IllegalArgumentException("workspace maxRows must be positive: " + maxRows);
        }
        if (precision == null) {
            throw new IllegalArgumentException("workspace precision is null; use FLOAT64 or FLOAT32");
        }
        if (stack != null) {
            return new Workspace(workspaceKey(), new StackPass(stack, layout, maxRows, precision));
        }
        return new Workspace(workspaceKey(), switch (precision) {
            case FLOAT64 -> new Float64Pass(layout, activations, maxRows);
            case FLOAT32 -> new Float32Pass(layout, activations, maxRows);
        });
    }

    /**
     * Adds to {@code gradAcc} the gradient of the SUM over the rows of {@code x} of the per-example
     * loss, and returns that summed loss. Nothing is allocated per call beyond O(layers) small objects.
     * Targets are validated before {@code gradAcc} is touched. Runs in the workspace's precision
     * (FLOAT32 rounds {@code x} into a workspace buffer first).
     */
    public double lossAndGradientSum(double[] params, Matrix x, Targets y, double[] gradAcc, Workspace ws) {
        checkBuffer("gradAcc", gradAcc);
        int n = checkBatch(params, x.rows(), x.cols(), y, ws);
        return n == 0 ? 0.0 : ws.pass.lossAndGradientSum(lossFn, params, x, y, gradAcc);
    }

    /**
     * As {@link #lossAndGradientSum(double[], Matrix, Targets, double[], Workspace)} on a float input
     * block (e.g. cached once as float): used as is by a FLOAT32 workspace, widened by a FLOAT64 one.
     */
    public double lossAndGradientSum(double[] params, FloatMatrix x, Targets y, double[] gradAcc, Workspace ws) {
        checkBuffer("gradAcc", gradAcc);
        int n = checkBatch(params, x.rows(), x.cols(), y, ws);
        return n == 0 ? 0.0 : ws.pass.lossAndGradientSum(lossFn, params, x, y, gradAcc);
    }

    /**
     * As {@link #lossAndGradientSum(double[], Matrix, Targets, double[], Workspace)} on a sparse input block
     * (row i of X = row i of {@code x}); adds to {@code gradAcc}'s first-layer weights only at the features
     * present in {@code x}.
     */
    public double lossAndGradientSum(double[] params, SparseRows x, Targets y, double[] gradAcc, Workspace ws) {
        checkBuffer("gradAcc", gradAcc);
        int n = checkBatch(params, x.rows(), x.cols(), y, ws);
        return n == 0 ? 0.0 : ws.pass.lossAndGradientSum(lossFn, params, x, y, gradAcc);
    }

    /**
     * Overwrites {@code gradOut[0, numParams)} with the gradient of the SUM over the rows of {@code x} of the
     * per-example loss and returns that summed loss: bit for bit what {@link #lossAndGradientSum} adds to a
     * zero-filled accumulator, without the fill in FLOAT32. {@code gradOut} may be longer (a step vector carrying
     * the loss and row count after the gradient): entries past {@code numParams} are not touched.
     */
    public double gradientSum(double[] params, Matrix x, Targets y, double[] gradOut, Workspace ws) {
        NetworkChecks.output(layout, gradOut == null ? -1 : gradOut.length);
        checkBatch(params, x.rows(), x.cols(), y, ws);
        return ws.pass.gradientSum(lossFn, params, x, y, gradOut, layout.size());
    }

    /** {@link #gradientSum(double[], Matrix, Targets, double[], Workspace)} of a float input block. */
    public double gradientSum(double[] params, FloatMatrix x, Targets y, double[] gradOut, Workspace ws) {
        NetworkChecks.output(layout, gradOut == null ? -1 : gradOut.length);
        checkBatch(params, x.rows(), x.cols(), y, ws);
        return ws.pass.gradientSum(lossFn, params, x, y, gradOut, layout.size());
    }

    /**
     * A FLOAT32 workspace of a dense network, at {@code weights}, a float copy of the parameters that the caller keeps
     * ({@code weights[i] == (float) params[i]}, e.g. updated chunk by chunk): the float gradient of the summed loss
     * written straight over {@code gradOut[0, numParams)} (entries past it untouched); returns the summed loss.
     * {@code 0.0 + (double) gradOut[i]} is bit for bit the {@code double[]} {@link #gradientSum}'s entry i, so a sum
     * of such partials widened in order from 0.0 equals the sum of the double partials (an exchange can move floats).
     *
     * @throws IllegalArgumentException for a FLOAT64 workspace or a general stack
     */
    public double gradientSumAt(float[] weights, FloatMatrix x, Targets y, float[] gradOut, Workspace ws) {
        NetworkChecks.output(layout, gradOut == null ? -1 : gradOut.length);
        NetworkChecks.batch(this, "weights", weights == null ? -1 : weights.length, x.rows(), x.cols(), y, ws);
        return ws.pass.gradientSumAt(lossFn, weights, x, y, gradOut, layout.size());
    }

    /** Batch-mean loss; overwrites {@code gradOut} with its gradient. Convenience over the sum form (FLOAT64). */
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

    /** Summed loss only (no gradient), for evaluation, in the workspace's precision. */
    public double lossSum(double[] params, Matrix x, Targets y, Workspace ws) {
        int n = checkBatch(params, x.rows(), x.cols(), y, ws);
        return n == 0 ? 0.0 : ws.pass.lossSum(lossFn, params, x, y);
    }

    /** Summed loss of a float input block, in the workspace's precision. */
    public double lossSum(double[] params, FloatMatrix x, Targets y, Workspace ws) {
        int n = checkBatch(params, x.rows(), x.cols(), y, ws);
        return n == 0 ? 0.0 : ws.pass.lossSum(lossFn, params, x, y);
    }

    /** Summed loss of a sparse input block, in the workspace's precision. */
    public double lossSum(double[] params, SparseRows x, Targets y, Workspace ws) {
        int n = checkBatch(params, x.rows(), x.cols(), y, ws);
        return n == 0 ? 0.0 : ws.pass.lossSum(lossFn, params, x, y);
    }

    /** Batch-mean loss (allocates a FLOAT64 workspace: for tests and small evaluations). */
    public double lossMean(double[] params, Matrix x, Targets y) {
        int n = x.rows();
        return n == 0 ? 0.0 : lossSum(params, x, y, newWorkspace(n)) / n;
    }

    /**
     * The model's output for each row, {@code n x outputSize}, written into the workspace and returned
     * (valid until the next call with the same workspace): probabilities for SOFTMAX_CE (softmax) and
     * BCE_LOGITS (sigmoid), raw values for MSE. In FLOAT32 the layers run in float and the last
     * layer's output is widened to double before that final mapping.
     */
    public Matrix predict(double[] params, Matrix x, Workspace ws) {
        checkInput(params, x.rows(), x.cols(), ws);
        return ws.pass.predict(lossFn, params, x);
    }

    /** {@link #predict(double[], Matrix, Workspace)} of a float input block. */
    public Matrix predict(double[] params, FloatMatrix x, Workspace ws) {
        checkInput(params, x.rows(), x.cols(), ws);
        return ws.pass.predict(lossFn, params, x);
    }

    /** {@link #predict(double[], Matrix, Workspace)} of a sparse input block. */
    public Matrix predict(double[] params, SparseRows x, Workspace ws) {
        checkInput(params, x.rows(), x.cols(), ws);
        return ws.pass.predict(lossFn, params, x);
    }

    /**
     * {@link #lossSum} and {@link #predict} of the same rows in one call, bit for bit what the two calls give; a dense
     * network runs ONE forward pass for both (a general stack still runs two), in the workspace's precision. No rows:
     * loss 0 and an empty output.
     */
    public Scored lossSumAndPredict(double[] params, Matrix x, Targets y, Workspace ws) {
        checkBatch(params, x.rows(), x.cols(), y, ws);
        return ws.pass.lossSumAndPredict(lossFn, params, x, y);
    }

    /** {@link #lossSumAndPredict(double[], Matrix, Targets, Workspace)} of a float input block. */
    public Scored lossSumAndPredict(double[] params, FloatMatrix x, Targets y, Workspace ws) {
        checkBatch(params, x.rows(), x.cols(), y, ws);
        return ws.pass.lossSumAndPredict(lossFn, params, x, y);
    }

    /** {@link #lossSumAndPredict(double[], Matrix, Targets, Workspace)} of a sparse input block. */
    public Scored lossSumAndPredict(double[] params, SparseRows x, Targets y, Workspace ws) {
        checkBatch(params, x.rows(), x.cols(), y, ws);
        return ws.pass.lossSumAndPredict(lossFn, params, x, y);
    }

    // ------------------------------------------------------------------------------ internals

    private int checkBatch(double[] params, int rows, int cols, Targets y, Workspace ws) {
        return NetworkChecks.batch(this, "params", params == null ? -1 : params.length, rows, cols, y, ws);
    }

    private void checkInput(double[] params, int rows, int cols, Workspace ws) {
        NetworkChecks.input(this, "params", params == null ? -1 : params.length, rows, cols, ws);
    }

    private void checkBuffer(String name, double[] buf) {
        NetworkChecks.buffer(layout, name, buf == null ? -1 : buf.length);
    }

    /** What a workspace must have been made for: equal networks share workspaces. */
    Object workspaceKey() {
        return stack != null ? List.of(stackInput, stackDefs) : layout.layers();
    }

    private Object writeReplace() {
        return stack != null ? new NetworkForms.StackForm(stackInput, stackDefs, loss)
                : new NetworkForms.DenseForm(layout.layers(), loss);
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
        throw new java.io.InvalidObjectException("Network is serialised through its NetworkForms proxy");
    }

    /**
     * Per-thread buffers, sized for a maximum batch, in one {@link Precision}: one activation buffer
     * per layer ({@code maxRows * out_l}) and two ping-pong gradient buffers
     * ({@code maxRows * max_l out_l}); FLOAT32 adds float copies of the parameters, the input and the
     * gradient (see {@link Float32Pass}).
     */
    public static final class Workspace {
        final Object key;
        final BlockPass pass;

        private Workspace(Object key, BlockPass pass) {
            this.key = key;
            this.pass = pass;
        }

        /** The largest batch this workspace serves. */
        public int maxRows() { return pass.maxRows(); }

        /** The precision its forward and backward passes compute in. */
        public Precision precision() { return pass.precision(); }
    }
}
