package org.descent.math.nn;

import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.nn.layers.Layer;
import org.descent.math.sparse.SparseRows;

/**
 * The float64 layer loop of a network built from {@link org.descent.math.nn.layers.LayerDef}s (conv,
 * pooling, flatten, recurrent, dense): each {@link Layer} owns its buffers (made once here, for
 * {@code maxRows}) and reads its weights and bias as views into the flat {@code params}.
 *
 * <p>Per training block: {@code A_0 = X}; {@code A_l = layer_l(A_{l-1})}; {@code S, G = loss(A_L, y)};
 * then for {@code l = L..1}: {@code G = layer_l.backward(G)}, which adds {@code ∂S/∂θ_l} straight into
 * the caller's accumulator (no copy) and returns {@code ∂S/∂A_{l-1}} (skipped for the first layer).
 * A float input block is widened into a workspace buffer first.
 *
 * <p>Layer buffers are sized for at most {@link #CHUNK_ROWS} rows (a convolution's patch matrix is
 * {@code rows·OH·OW x C·K·K}: 2048 evaluation rows of a 28x28 image would need hundreds of MB); a larger
 * block is processed in consecutive row chunks whose losses and gradients are summed (the gradient into
 * a scratch buffer first, so invalid targets in a later chunk leave the caller's accumulator untouched).
 * Same block, same chunks, same bits. Not thread-safe.
 */
final class StackPass extends BlockPass {
    private final Layer[] layers;
    private final ParameterLayout layout;
    private final Layer.Buffers[] buffers;
    /** The input each layer saw in the last forward (a workspace buffer or the caller's block). */
    private final double[][] inputs;
    private final double[] lossGrad;
    private final int maxRows;
    /** Rows per layer pass: {@code min(maxRows, CHUNK_ROWS)}. */
    private final int chunk;
    private double[] widened;
    /** Chunked blocks only: gathered input rows, targets, gradient scratch, assembled predictions. */
    private double[] xChunk;
    private double[] yChunk;
    private double[] gradScratch;
    private double[] predictions;

    /** The most rows one forward/backward pass of the layers takes. */
    static final int CHUNK_ROWS = 128;

    StackPass(Layer[] layers, ParameterLayout layout, int maxRows) {
        this.layers = layers;
        this.layout = layout;
        this.maxRows = maxRows;
        this.chunk = Math.min(maxRows, CHUNK_ROWS);
        this.buffers = new Layer.Buffers[layers.length];
        for (int l = 0; l < layers.length; l++) {
            buffers[l] = layers[l].newBuffers(chunk);
        }
        this.inputs = new double[layers.length][];
        this.lossGrad = new double[Math.multiplyExact(chunk, outputs())];
    }

    private int outputs() {
        return layers[layers.length - 1].outShape().size();
    }

    @Override
    int maxRows() { return maxRows; }

    @Override
    Precision precision() { return Precision.FLOAT64; }

    @Override
    double lossAndGradientSum(Loss lossFn, double[] params, Matrix x, Targets y, double[] gradAcc) {
        return lossAndGradientSum(lossFn, params, x.data(), x.rows(), y, gradAcc);
    }

    @Override
    double lossAndGradientSum(Loss lossFn, double[] params, FloatMatrix x, Targets y, double[] gradAcc) {
        return lossAndGradientSum(lossFn, params, widen(x), x.rows(), y, gradAcc);
    }

    @Override
    double lossAndGradientSum(Loss lossFn, double[] params, SparseRows x, Targets y, double[] gradAcc) {
        throw sparse();
    }

    @Override
    double lossSum(Loss lossFn, double[] params, Matrix x, Targets y) {
        return lossSum(lossFn, params, x.data(), x.rows(), y);
    }

    @Override
    double lossSum(Loss lossFn, double[] params, FloatMatrix x, Targets y) {
        return lossSum(lossFn, params, widen(x), x.rows(), y);
    }

    @Override
    double lossSum(Loss lossFn, double[] params, SparseRows x, Targets y) {
        throw sparse();
    }

    @Override
    Matrix predict(Loss lossFn, double[] params, Matrix x) {
        return predict(lossFn, params, x.data(), x.rows());
    }

    @Override
    Matrix predict(Loss lossFn, double[] params, FloatMatrix x) {
        return predict(lossFn, params, widen(x), x.rows());
    }

    @Override
    Matrix predict(Loss lossFn, double[] params, SparseRows x) {
        throw sparse();
    }

    private double lossAndGradientSum(Loss lossFn, double[] params, double[] x, int n, Targets y, double[] gradAcc) {
        if (n <= chunk) {
            return chunkLossAndGradient(lossFn, params, x, n, y, gradAcc);
        }
        if (gradScratch == null) {
            gradScratch = new double[gradAcc.length];
        }
        java.util.Arrays.fill(gradScratch, 0.0);
        double sum = 0;
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            sum += chunkLossAndGradient(lossFn, params, gather(x, n, start, m), m, targets(y, start, m), gradScratch);
        }
        for (int i = 0; i < gradAcc.length; i++) {
            gradAcc[i] += gradScratch[i];
        }
        return sum;
    }

    private double lossSum(Loss lossFn, double[] params, double[] x, int n, Targets y) {
        if (n <= chunk) {
            return lossFn.sumAndGradient(output(params, x, n), y, null);
        }
        double sum = 0;
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            sum += lossFn.sumAndGradient(output(params, gather(x, n, start, m), m), targets(y, start, m), null);
        }
        return sum;
    }

    private Matrix predict(Loss lossFn, double[] params, double[] x, int n) {
        if (n <= chunk) {
            Matrix m = output(params, x, n);
            lossFn.predictInPlace(m);
            return m;
        }
        int k = outputs();
        if (predictions == null) {
            predictions = new double[Math.multiplyExact(maxRows, k)];
        }
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            Matrix part = output(params, gather(x, n, start, m), m);
            lossFn.predictInPlace(part);
            for (int j = 0; j < k; j++) {
                System.arraycopy(part.data(), j * m, predictions, j * n + start, m);
            }
        }
        return Matrix.wrap(n, k, predictions);
    }

    /** Rows {@code [start, start + m)} of the column-major {@code n x d} block, as an {@code m x d} block. */
    private double[] gather(double[] x, int n, int start, int m) {
        int d = layers[0].inShape().size();
        if (xChunk == null) {
            xChunk = new double[Math.multiplyExact(chunk, d)];
        }
        for (int j = 0; j < d; j++) {
            System.arraycopy(x, j * n + start, xChunk, j * m, m);
        }
        return xChunk;
    }

    private Targets targets(Targets y, int start, int m) {
        if (!y.isMatrix()) {
            if (yChunk == null || yChunk.length < chunk) {
                yChunk = new double[chunk];
            }
            System.arraycopy(y.values(), start, yChunk, 0, m);
            return Targets.ofValues(m, yChunk);
        }
        Matrix t = y.matrix();
        int k = t.cols();
        if (yChunk == null || yChunk.length < chunk * k) {
            yChunk = new double[Math.multiplyExact(chunk, k)];
        }
        for (int j = 0; j < k; j++) {
            System.arraycopy(t.data(), j * t.rows() + start, yChunk, j * m, m);
        }
        return Targets.ofMatrix(Matrix.wrap(m, k, yChunk));
    }

    private double chunkLossAndGradient(Loss lossFn, double[] params, double[] x, int n, Targets y, double[] gradAcc) {
        Matrix out = output(params, x, n);
        double sum = lossFn.sumAndGradient(out, y, Matrix.wrap(n, out.cols(), lossGrad));
        double[] g = lossGrad;
        for (int l = layers.length - 1; l >= 0; l--) {
            g = layers[l].backward(params, layout.weightOffset(l), layout.biasOffset(l), inputs[l], n, buffers[l],
                    g, gradAcc, l > 0);
        }
        return sum;
    }

    /** Forward through every layer; the last layer's output as an {@code n x outputs} view. */
    private Matrix output(double[] params, double[] x, int n) {
        double[] a = x;
        for (int l = 0; l < layers.length; l++) {
            inputs[l] = a;
            a = layers[l].forward(params, layout.weightOffset(l), layout.biasOffset(l), a, n, buffers[l]);
        }
        return Matrix.wrap(n, outputs(), a);
    }

    private double[] widen(FloatMatrix x) {
        if (widened == null) {
            widened = new double[Math.multiplyExact(maxRows, layers[0].inShape().size())];
        }
        FloatMatrix.toDouble(x.data(), 0, widened, 0, x.size());
        return widened;
    }

    private static IllegalArgumentException sparse() {
        return new IllegalArgumentException("a network with conv, pooling or recurrent layers takes dense input "
                + "blocks; sparse input is supported for dense (mlp, softmax, ...) models only");
    }
}
