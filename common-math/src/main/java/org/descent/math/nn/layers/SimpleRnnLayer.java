package org.descent.math.nn.layers;

import java.util.Arrays;
import org.descent.math.nn.Precision;

/**
 * Elman RNN over a fixed-length sequence {@code T x D}: {@code H_t = tanh(X_t W_x + H_{t-1} W_h + 1 b^T)},
 * {@code H_{-1} = 0}. Returns {@code H_{T-1}} ({@code n x units}) or, with {@code returnSequences},
 * every step ({@code T x units}). The weight matrix is {@code [W_x; W_h]}, {@code (D + units) x units}
 * column-major, so {@code W_x} and {@code W_h} are its row blocks (leading dimension {@code D + units}).
 *
 * <p>Backprop through time, {@code t = T-1 .. 0}, with {@code dH} the gradient flowing back in time:
 * {@code dH += dOut_t}; {@code dZ = dH ⊙ (1 - H_t²)}; {@code dW_x += X_t^T dZ};
 * {@code dW_h += H_{t-1}^T dZ}; {@code db += 1^T dZ}; {@code dX_t = dZ W_x^T}; {@code dH = dZ W_h^T}.
 * Every step is a GEMM on the block's time slice (contiguous, leading dimension n). Long sequences
 * can make {@code dH} grow like {@code ||W_h||^T}: clip the gradient (optimizer clipping).
 * Float32: the same code on float buffers (sgemm; tanh evaluated in double, rounded once).
 */
final class SimpleRnnLayer implements Layer {
    private final Shape in;
    private final int steps;
    private final int features;
    private final int units;
    private final boolean returnSequences;

    SimpleRnnLayer(Shape in, int units, boolean returnSequences) {
        this.in = in;
        this.steps = in.dim(0);
        this.features = in.dim(1);
        this.units = units;
        this.returnSequences = returnSequences;
    }

    @Override public Shape inShape() { return in; }
    @Override public Shape outShape() { return returnSequences ? Shape.of(steps, units) : Shape.of(units); }
    @Override public int weightRows() { return features + units; }
    @Override public int weightCols() { return units; }
    @Override public int biasSize() { return units; }

    @Override
    public String describe() {
        return "rnn " + units + " tanh" + (returnSequences ? " all steps" : " last step");
    }

    @Override
    public Buffers newBuffers(int maxRows, Precision precision) {
        return new RnnBuffers(maxRows, precision, steps, features, units, returnSequences);
    }

    @Override
    public double[] forward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers) {
        RnnBuffers b = (RnnBuffers) buffers;
        int ld = features + units;
        for (int t = 0; t < steps; t++) {
            int h = n * t * units;
            Ops.fillBias(b.hs, h, n, units, params, bOff);
            Ops.gemm(false, false, n, units, features, x, n * t * features, n, params, wOff, ld, true, b.hs, h, n);
            if (t > 0) {
                Ops.gemm(false, false, n, units, units, b.hs, h - n * units, n, params, wOff + features, ld, true,
                        b.hs, h, n);
            }
            for (int i = h, end = h + n * units; i < end; i++) {
                b.hs[i] = Ops.tanh(b.hs[i]);
            }
        }
        if (returnSequences) {
            return b.hs;
        }
        System.arraycopy(b.hs, n * (steps - 1) * units, b.last, 0, n * units);
        return b.last;
    }

    @Override
    public double[] backward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers,
                             double[] dOut, double[] grad, boolean needInputGradient) {
        RnnBuffers b = (RnnBuffers) buffers;
        int ld = features + units;
        int len = n * units;
        Arrays.fill(b.dH, 0, len, 0.0);
        for (int t = steps - 1; t >= 0; t--) {
            int h = n * t * units;
            if (returnSequences) {
                for (int i = 0; i < len; i++) b.dH[i] += dOut[h + i];
            } else if (t == steps - 1) {
                for (int i = 0; i < len; i++) b.dH[i] += dOut[i];
            }
            for (int i = 0; i < len; i++) {
                double a = b.hs[h + i];
                b.dZ[i] = b.dH[i] * (1.0 - a * a);
            }
            Ops.gemm(true, false, features, units, n, x, n * t * features, n, b.dZ, 0, n, true, grad, wOff, ld);
            if (t > 0) {
                Ops.gemm(true, false, units, units, n, b.hs, h - len, n, b.dZ, 0, n, true, grad, wOff + features, ld);
            }
            Ops.addColumnSums(b.dZ, 0, n, units, grad, bOff);
            if (needInputGradient) {
                Ops.gemm(false, true, n, features, units, b.dZ, 0, n, params, wOff, ld, false,
                        b.dIn, n * t * features, n);
            }
            if (t > 0) {
                Ops.gemm(false, true, n, units, units, b.dZ, 0, n, params, wOff + features, ld, false, b.dH, 0, n);
            }
        }
        return needInputGradient ? b.dIn : null;
    }

    @Override
    public float[] forward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers) {
        RnnBuffers b = (RnnBuffers) buffers;
        int ld = features + units;
        float[] hs = b.hs32;
        for (int t = 0; t < steps; t++) {
            int h = n * t * units;
            Ops.fillBias(hs, h, n, units, params, bOff);
            Ops.gemm(false, false, n, units, features, x, n * t * features, n, params, wOff, ld, true, hs, h, n);
            if (t > 0) {
                Ops.gemm(false, false, n, units, units, hs, h - n * units, n, params, wOff + features, ld, true,
                        hs, h, n);
            }
            for (int i = h, end = h + n * units; i < end; i++) {
                hs[i] = (float) Ops.tanh(hs[i]);
            }
        }
        if (returnSequences) {
            return hs;
        }
        System.arraycopy(hs, n * (steps - 1) * units, b.last32, 0, n * units);
        return b.last32;
    }

    @Override
    public float[] backward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers,
                            float[] dOut, float[] grad, boolean needInputGradient) {
        RnnBuffers b = (RnnBuffers) buffers;
        int ld = features + units;
        int len = n * units;
        float[] dH = b.dH32;
        float[] dZ = b.dZ32;
        Arrays.fill(dH, 0, len, 0.0f);
        for (int t = steps - 1; t >= 0; t--) {
            int h = n * t * units;
            if (returnSequences) {
                for (int i = 0; i < len; i++) dH[i] += dOut[h + i];
            } else if (t == steps - 1) {
                for (int i = 0; i < len; i++) dH[i] += dOut[i];
            }
            for (int i = 0; i < len; i++) {
                float a = b.hs32[h + i];
                dZ[i] = dH[i] * (1.0f - a * a);
            }
            Ops.gemm(true, false, features, units, n, x, n * t * features, n, dZ, 0, n, true, grad, wOff, ld);
            if (t > 0) {
                Ops.gemm(true, false, units, units, n, b.hs32, h - len, n, dZ, 0, n, true, grad, wOff + features, ld);
            }
            Ops.addColumnSums(dZ, 0, n, units, grad, bOff);
            if (needInputGradient) {
                Ops.gemm(false, true, n, features, units, dZ, 0, n, params, wOff, ld, false,
                        b.dIn32, n * t * features, n);
            }
            if (t > 0) {
                Ops.gemm(false, true, n, units, units, dZ, 0, n, params, wOff + features, ld, false, dH, 0, n);
            }
        }
        return needInputGradient ? b.dIn32 : null;
    }

    private static final class RnnBuffers extends Buffers {
        final double[] hs;
        final double[] last;
        final double[] dH;
        final double[] dZ;
        final double[] dIn;
        final float[] hs32;
        final float[] last32;
        final float[] dH32;
        final float[] dZ32;
        final float[] dIn32;

        RnnBuffers(int maxRows, Precision precision, int steps, int features, int units, boolean returnSequences) {
            super(maxRows, precision);
            int len = Math.multiplyExact(maxRows, units);
            int all = Math.multiplyExact(len, steps);
            int inLength = Math.multiplyExact(maxRows, Math.multiplyExact(steps, features));
            hs = doubles(all);
            last = returnSequences ? null : doubles(len);
            dH = doubles(len);
            dZ = doubles(len);
            dIn = doubles(inLength);
            hs32 = floats(all);
            last32 = returnSequences ? null : floats(len);
            dH32 = floats(len);
            dZ32 = floats(len);
            dIn32 = floats(inLength);
        }
    }
}
