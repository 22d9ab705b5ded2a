package org.descent.math.nn.layers;

import org.descent.math.nn.Precision;

/**
 * Reshapes {@code CxHxW} (or {@code TxF}) to one feature vector. The block layout of {@link Shape}
 * already enumerates features in that order, so forward returns its input and backward its upstream
 * gradient: no copy, no parameters.
 */
final class FlattenLayer implements Layer {
    private final Shape in;

    FlattenLayer(Shape in) {
        this.in = in;
    }

    @Override public Shape inShape() { return in; }
    @Override public Shape outShape() { return Shape.of(in.size()); }
    @Override public int weightRows() { return 0; }
    @Override public int weightCols() { return 0; }
    @Override public int biasSize() { return 0; }
    @Override public String describe() { return "flatten"; }

    @Override
    public Buffers newBuffers(int maxRows, Precision precision) {
        return new Buffers(maxRows, precision);
    }

    @Override
    public double[] forward(double[] params, int wOff, int bOff, double[] x, int n, Buffers b) {
        return x;
    }

    @Override
    public double[] backward(double[] params, int wOff, int bOff, double[] x, int n, Buffers b, double[] dOut,
                             double[] grad, boolean needInputGradient) {
        return needInputGradient ? dOut : null;
    }

    @Override
    public float[] forward(float[] params, int wOff, int bOff, float[] x, int n, Buffers b) {
        return x;
    }

    @Override
    public float[] backward(float[] params, int wOff, int bOff, float[] x, int n, Buffers b, float[] dOut,
                            float[] grad, boolean needInputGradient) {
        return needInputGradient ? dOut : null;
    }
}
