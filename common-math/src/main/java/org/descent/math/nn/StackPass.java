package org.descent.math.nn;

import java.util.Arrays;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.nn.layers.Layer;
import org.descent.math.sparse.SparseRows;

/**
 * The layer loop of a network built from {@link org.descent.math.nn.layers.LayerDef}s (conv, pooling,
 * flatten, recurrent, dense), in float64 or float32: each {@link Layer} owns its buffers (made once here,
 * for {@code maxRows}, in the workspace's precision) and reads its weights and bias as views into the flat
 * parameters.
 *
 * <p>Per training block: {@code A_0 = X}; {@code A_l = layer_l(A_{l-1})}; {@code S, G = loss(A_L, y)};
 * then for {@code l = L..1}: {@code G = layer_l.backward(G)}, which adds {@code ∂S/∂θ_l} into the gradient
 * and returns {@code ∂S/∂A_{l-1}} (skipped for the first layer).
 * <ul>
 *   <li>FLOAT64: the layers add straight into the caller's accumulator (no copy); a float input block is
 *       widened into a workspace buffer first.</li>
 *   <li>FLOAT32 (the dense {@link Float32Pass}'s design): per call the double master parameters are
 *       rounded into a float copy, a double input block into a float buffer; the layers run on floats
 *       (sgemm) into a zeroed float gradient scratch; the loss runs in double on the widened float output
 *       (its gradient rounded to float); the scratch is added to the caller's double accumulator at the
 *       end.</li>
 * </ul>
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
    private final boolean f32;
    /** The input each layer saw in the last forward: {@code double[]} or {@code float[]} by precision. */
    private final Object[] inputs;
    private final double[] lossGrad;
    private final int maxRows;
    /** Rows per layer pass: {@code min(maxRows, CHUNK_ROWS)}. */
    private final int chunk;
    /** FLOAT64: a float block widened; FLOAT32: a double block rounded (allocated on first use). */
    private Object converted;
    /** Chunked blocks only: gathered input rows ({@code double[]}/{@code float[]}), targets, assembled predictions. */
    private Object xChunk;
    private double[] yChunk;
    private double[] gradScratch;
    private double[] predictions;
    /** FLOAT32 only: parameters rounded, gradient scratch, loss gradient rounded, output widened. */
    private final float[] weights32;
    private final float[] grad32;
    private final float[] lossGrad32;
    private final double[] outD;

    /** The most rows one forward/backward pass of the layers takes. */
    static final int CHUNK_ROWS = 128;

    StackPass(Layer[] layers, ParameterLayout layout, int maxRows, Precision precision) {
        this.layers = layers;
        this.layout = layout;
        this.maxRows = maxRows;
        this.f32 = precision == Precision.FLOAT32;
        this.chunk = Math.min(maxRows, CHUNK_ROWS);
        this.buffers = new Layer.Buffers[layers.length];
        for (int l = 0; l < layers.length; l++) {
            buffers[l] = layers[l].newBuffers(chunk, precision);
        }
        this.inputs = new Object[layers.length];
        int outLength = Math.multiplyExact(chunk, outputs());
        this.lossGrad = new double[outLength];
        this.weights32 = f32 ? new float[layout.size()] : null;
        this.grad32 = f32 ? new float[layout.size()] : null;
        this.lossGrad32 = f32 ? new float[outLength] : null;
        this.outD = f32 ? new double[outLength] : null;
    }

    private int outputs() {
        return layers[layers.length - 1].outShape().size();
    }

    @Override
    int maxRows() { return maxRows; }

    @Override
    Precision precision() { return f32 ? Precision.FLOAT32 : Precision.FLOAT64; }

    @Override
    double lossAndGradientSum(Loss lossFn, double[] params, Matrix x, Targets y, double[] gradAcc) {
        return lossAndGradientSum(lossFn, params, block(x), x.rows(), y, gradAcc);
    }

    @Override
    double lossAndGradientSum(Loss lossFn, double[] params, FloatMatrix x, Targets y, double[] gradAcc) {
        return lossAndGradientSum(lossFn, params, block(x), x.rows(), y, gradAcc);
    }

    @Override
    double lossAndGradientSum(Loss lossFn, double[] params, SparseRows x, Targets y, double[] gradAcc) {
        throw sparse();
    }

    @Override
    double lossSum(Loss lossFn, double[] params, Matrix x, Targets y) {
        return lossSum(lossFn, params, block(x), x.rows(), y);
    }

    @Override
    double lossSum(Loss lossFn, double[] params, FloatMatrix x, Targets y) {
        return lossSum(lossFn, params, block(x), x.rows(), y);
    }

    @Override
    double lossSum(Loss lossFn, double[] params, SparseRows x, Targets y) {
        throw sparse();
    }

    @Override
    Matrix predict(Loss lossFn, double[] params, Matrix x) {
        return predict(lossFn, params, block(x), x.rows());
    }

    @Override
    Matrix predict(Loss lossFn, double[] params, FloatMatrix x) {
        return predict(lossFn, params, block(x), x.rows());
    }

    @Override
    Matrix predict(Loss lossFn, double[] params, SparseRows x) {
        throw sparse();
    }

    private double lossAndGradientSum(Loss lossFn, double[] params, Object x, int n, Targets y, double[] gradAcc) {
        Object w = weights(params);
        if (f32) {
            Arrays.fill(grad32, 0.0f);
        } else if (n > chunk) {
            if (gradScratch == null) {
                gradScratch = new double[layout.size()];
            }
            Arrays.fill(gradScratch, 0.0);
        }
        Object g = f32 ? grad32 : n > chunk ? gradScratch : gradAcc;
        double sum = 0;
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            sum += chunkLossAndGradient(lossFn, w, gather(x, n, start, m), m, targets(y, start, m, n), g);
        }
        if (f32) {
            for (int i = 0; i < layout.size(); i++) { // gradAcc may be longer (Network#gradientSum)
                gradAcc[i] += grad32[i];
            }
        } else if (n > chunk) {
            for (int i = 0; i < layout.size(); i++) { // gradAcc may be longer (Network#gradientSum)
                gradAcc[i] += gradScratch[i];
            }
        }
        return sum;
    }

    private double lossSum(Loss lossFn, double[] params, Object x, int n, Targets y) {
        Object w = weights(params);
        double sum = 0;
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            sum += lossFn.sumAndGradient(output(w, gather(x, n, start, m), m), targets(y, start, m, n), null);
        }
        return sum;
    }

    private Matrix predict(Loss lossFn, double[] params, Object x, int n) {
        Object w = weights(params);
        if (n <= chunk) {
            Matrix m = output(w, x, n);
            lossFn.predictInPlace(m);
            return m;
        }
        int k = outputs();
        if (predictions == null) {
            predictions = new double[Math.multiplyExact(maxRows, k)];
        }
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            Matrix part = output(w, gather(x, n, start, m), m);
            lossFn.predictInPlace(part);
            for (int j = 0; j < k; j++) {
                System.arraycopy(part.data(), j * m, predictions, j * n + start, m);
            }
        }
        return Matrix.wrap(n, k, predictions);
    }

    /** The parameters to compute with: {@code params} itself (FLOAT64) or their float copy, refreshed. */
    private Object weights(double[] params) {
        if (!f32) {
            return params;
        }
        FloatMatrix.toFloat(params, 0, weights32, 0, weights32.length);
        return weights32;
    }

    /** The input block in the pass's precision: used as is, or converted into a workspace buffer. */
    private Object block(Matrix x) {
        if (!f32) {
            return x.data();
        }
        float[] buf = (float[]) convertedBuffer();
        FloatMatrix.toFloat(x.data(), 0, buf, 0, x.size());
        return buf;
    }

    private Object block(FloatMatrix x) {
        if (f32) {
            return x.data();
        }
        double[] buf = (double[]) convertedBuffer();
        FloatMatrix.toDouble(x.data(), 0, buf, 0, x.size());
        return buf;
    }

    private Object convertedBuffer() {
        if (converted == null) {
            int len = Math.multiplyExact(maxRows, layers[0].inShape().size());
            converted = f32 ? new float[len] : new double[len];
        }
        return converted;
    }

    /**
     * Rows {@code [start, start + m)} of the column-major {@code n x d} block, as an {@code m x d} block (the
     * block itself when it is one chunk).
     */
    private Object gather(Object x, int n, int start, int m) {
        if (m == n) {
            return x;
        }
        int d = layers[0].inShape().size();
        if (xChunk == null) {
            int len = Math.multiplyExact(chunk, d);
            xChunk = f32 ? new float[len] : new double[len];
        }
        for (int j = 0; j < d; j++) {
            System.arraycopy(x, j * n + start, xChunk, j * m, m);
        }
        return xChunk;
    }

    private Targets targets(Targets y, int start, int m, int n) {
        if (m == n) {
            return y;
        }
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

    /** Forward, loss and backward of one chunk; the parameter gradient ADDED into {@code grad} (the pass's type). */
    private double chunkLossAndGradient(Loss lossFn, Object w, Object x, int n, Targets y, Object grad) {
        Matrix out = output(w, x, n);
        double sum = lossFn.sumAndGradient(out, y, Matrix.wrap(n, out.cols(), lossGrad));
        if (f32) {
            FloatMatrix.toFloat(lossGrad, 0, lossGrad32, 0, n * out.cols());
            float[] g = lossGrad32;
            for (int l = layers.length - 1; l >= 0; l--) {
                g = layers[l].backward((float[]) w, layout.weightOffset(l), layout.biasOffset(l), (float[]) inputs[l],
                        n, buffers[l], g, (float[]) grad, l > 0);
            }
            return sum;
        }
        double[] g = lossGrad;
        for (int l = layers.length - 1; l >= 0; l--) {
            g = layers[l].backward((double[]) w, layout.weightOffset(l), layout.biasOffset(l), (double[]) inputs[l],
                    n, buffers[l], g, (double[]) grad, l > 0);
        }
        return sum;
    }

    /** Forward through every layer; the last layer's output as an {@code n x outputs} double view. */
    private Matrix output(Object w, Object x, int n) {
        if (f32) {
            float[] a = (float[]) x;
            for (int l = 0; l < layers.length; l++) {
                inputs[l] = a;
                a = layers[l].forward((float[]) w, layout.weightOffset(l), layout.biasOffset(l), a, n, buffers[l]);
            }
            FloatMatrix.toDouble(a, 0, outD, 0, n * outputs());
            return Matrix.wrap(n, outputs(), outD);
        }
        double[] a = (double[]) x;
        for (int l = 0; l < layers.length; l++) {
            inputs[l] = a;
            a = layers[l].forward((double[]) w, layout.weightOffset(l), layout.biasOffset(l), a, n, buffers[l]);
        }
        return Matrix.wrap(n, outputs(), a);
    }

    private static IllegalArgumentException sparse() {
        return new IllegalArgumentException("a network with conv, pooling or recurrent layers takes dense input "
                + "blocks; sparse input is supported for dense (mlp, softmax, ...) models only");
    }
}
