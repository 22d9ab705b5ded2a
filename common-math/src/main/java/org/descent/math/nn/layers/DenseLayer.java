package org.descent.math.nn.layers;

import org.descent.math.nn.Activation;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.Precision;

/**
 * {@code A = act(X W + 1 b^T)} on the flattened input: {@code W} is {@code in x units}, the same maths
 * (and the same parameter layout) as a dense layer of {@code org.descent.math.nn.Network}.
 * Backward: {@code dZ = act'(dA)}, {@code dW += X^T dZ}, {@code db += 1^T dZ}, {@code dX = dZ W^T}.
 */
final class DenseLayer implements Layer {
    private final Shape in;
    private final int units;
    private final Activation act;

    DenseLayer(Shape in, int units, ActivationKind activation, double leakySlope) {
        this.in = in;
        this.units = units;
        this.act = Ops.activation(activation, leakySlope);
    }

    @Override public Shape inShape() { return in; }
    @Override public Shape outShape() { return Shape.of(units); }
    @Override public int weightRows() { return in.size(); }
    @Override public int weightCols() { return units; }
    @Override public int biasSize() { return units; }

    @Override
    public String describe() {
        return "dense " + units + " " + act.kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Buffers newBuffers(int maxRows, Precision precision) {
        return new DenseBuffers(maxRows, precision, in.size(), units);
    }

    @Override
    public double[] forward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers) {
        DenseBuffers b = (DenseBuffers) buffers;
        int d = in.size();
        Ops.fillBias(b.out, 0, n, units, params, bOff);
        Ops.gemm(false, false, n, units, d, x, 0, n, params, wOff, d, true, b.out, 0, n);
        Ops.activationForward(act, b.out, n, units);
        return b.out;
    }

    @Override
    public double[] backward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers,
                             double[] dOut, double[] grad, boolean needInputGradient) {
        DenseBuffers b = (DenseBuffers) buffers;
        int d = in.size();
        Ops.activationBackward(act, b.out, dOut, n, units);
        Ops.gemm(true, false, d, units, n, x, 0, n, dOut, 0, n, true, grad, wOff, d);
        Ops.addColumnSums(dOut, 0, n, units, grad, bOff);
        if (!needInputGradient) {
            return null;
        }
        Ops.gemm(false, true, n, d, units, dOut, 0, n, params, wOff, d, false, b.dIn, 0, n);
        return b.dIn;
    }

    @Override
    public float[] forward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers) {
        DenseBuffers b = (DenseBuffers) buffers;
        int d = in.size();
        Ops.fillBias(b.out32, 0, n, units, params, bOff);
        Ops.gemm(false, false, n, units, d, x, 0, n, params, wOff, d, true, b.out32, 0, n);
        Ops.activationForward(act, b.out32, n, units);
        return b.out32;
    }

    @Override
    public float[] backward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers,
                            float[] dOut, float[] grad, boolean needInputGradient) {
        DenseBuffers b = (DenseBuffers) buffers;
        int d = in.size();
        Ops.activationBackward(act, b.out32, dOut, n, units);
        Ops.gemm(true, false, d, units, n, x, 0, n, dOut, 0, n, true, grad, wOff, d);
        Ops.addColumnSums(dOut, 0, n, units, grad, bOff);
        if (!needInputGradient) {
            return null;
        }
        Ops.gemm(false, true, n, d, units, dOut, 0, n, params, wOff, d, false, b.dIn32, 0, n);
        return b.dIn32;
    }

    private static final class DenseBuffers extends Buffers {
        final double[] out;
        final double[] dIn;
        final float[] out32;
        final float[] dIn32;

        DenseBuffers(int maxRows, Precision precision, int in, int units) {
            super(maxRows, precision);
            out = doubles(Math.multiplyExact(maxRows, units));
            dIn = doubles(Math.multiplyExact(maxRows, in));
            out32 = floats(Math.multiplyExact(maxRows, units));
            dIn32 = floats(Math.multiplyExact(maxRows, in));
        }
    }
}
