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
 * A float input block is widened into a workspace buffer first. Not thread-safe.
 */
final class StackPass extends BlockPass {
    private final Layer[] layers;
    private final ParameterLayout layout;
    private final Layer.Buffers[] buffers;
    /** The input each layer saw in the last forward (a workspace buffer or the caller's block). */
    private final double[][] inputs;
    private final double[] lossGrad;
    private final int maxRows;
    private double[] widened;

    StackPass(Layer[] layers, ParameterLayout layout, int maxRows) {
        this.layers = layers;
        this.layout = layout;
        this.maxRows = maxRows;
        this.buffers = new Layer.Buffers[layers.length];
        for (int l = 0; l < layers.length; l++) {
            buffers[l] = layers[l].newBuffers(maxRows);
        }
        this.inputs = new double[layers.length][];
        this.lossGrad = new double[Math.multiplyExact(maxRows, outputs())];
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
        return lossFn.sumAndGradient(output(params, x.data(), x.rows()), y, null);
    }

    @Override
    double lossSum(Loss lossFn, double[] params, FloatMatrix x, Targets y) {
        return lossFn.sumAndGradient(output(params, widen(x), x.rows()), y, null);
    }

    @Override
    double lossSum(Loss lossFn, double[] params, SparseRows x, Targets y) {
        throw sparse();
    }

    @Override
    Matrix predict(Loss lossFn, double[] params, Matrix x) {
        Matrix m = output(params, x.data(), x.rows());
        lossFn.predictInPlace(m);
        return m;
    }

    @Override
    Matrix predict(Loss lossFn, double[] params, FloatMatrix x) {
        Matrix m = output(params, widen(x), x.rows());
        lossFn.predictInPlace(m);
        return m;
    }

    @Override
    Matrix predict(Loss lossFn, double[] params, SparseRows x) {
        throw sparse();
    }

    private double lossAndGradientSum(Loss lossFn, double[] params, double[] x, int n, Targets y, double[] gradAcc) {
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
