package org.descent.math.nn.layers;

import java.util.Arrays;
import org.descent.math.nn.Precision;

/**
 * LSTM over a fixed-length sequence {@code T x D} with {@code units = U}. Per step, one GEMM pair
 * gives the four gate pre-activations {@code Z_t = X_t W_x + H_{t-1} W_h + 1 b^T} ({@code n x 4U},
 * column blocks in the order input, forget, cell, output), then
 * <pre>
 *   i = σ(Z_i), f = σ(Z_f), g = tanh(Z_g), o = σ(Z_o)
 *   C_t = f ⊙ C_{t-1} + i ⊙ g,   H_t = o ⊙ tanh(C_t),   H_{-1} = C_{-1} = 0.
 * </pre>
 * Returns {@code H_{T-1}} or every {@code H_t} ({@code returnSequences}). The weight matrix is
 * {@code [W_x; W_h]}, {@code (D + U) x 4U} column-major.
 *
 * <p>Backprop through time, {@code t = T-1 .. 0}, carrying {@code dH} and {@code dC} back:
 * {@code dH += dOut_t}; {@code dO = dH ⊙ tanh(C_t)}; {@code dC += dH ⊙ o ⊙ (1 - tanh²(C_t))};
 * {@code dI = dC ⊙ g}; {@code dG = dC ⊙ i}; {@code dF = dC ⊙ C_{t-1}}; through the gates'
 * derivatives ({@code σ' = σ(1-σ)}, {@code tanh' = 1 - tanh²}) to {@code dZ}; then
 * {@code dW_x += X_t^T dZ}, {@code dW_h += H_{t-1}^T dZ}, {@code db += 1^T dZ}, {@code dX_t = dZ W_x^T},
 * {@code dH = dZ W_h^T}, {@code dC = dC ⊙ f}.
 *
 * <p>The gate non-linearities use {@link Ops#sigmoid} and {@link Ops#tanh} (one intrinsic exp each, no
 * branch); they, not the small GEMMs, dominated the step before. Float32: the same code on float buffers
 * (sgemm; the non-linearities evaluated in double and rounded once).
 */
final class LstmLayer implements Layer {
    private final Shape in;
    private final int steps;
    private final int features;
    private final int units;
    private final boolean returnSequences;

    LstmLayer(Shape in, int units, boolean returnSequences) {
        this.in = in;
        this.steps = in.dim(0);
        this.features = in.dim(1);
        this.units = units;
        this.returnSequences = returnSequences;
    }

    @Override public Shape inShape() { return in; }
    @Override public Shape outShape() { return returnSequences ? Shape.of(steps, units) : Shape.of(units); }
    @Override public int weightRows() { return features + units; }
    @Override public int weightCols() { return 4 * units; }
    @Override public int biasSize() { return 4 * units; }

    @Override
    public String describe() {
        return "lstm " + units + (returnSequences ? " all steps" : " last step");
    }

    @Override
    public Buffers newBuffers(int maxRows, Precision precision) {
        return new LstmBuffers(maxRows, precision, steps, features, units, returnSequences);
    }

    @Override
    public double[] forward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers) {
        LstmBuffers b = (LstmBuffers) buffers;
        int ld = features + units;
        int len = n * units;
        for (int t = 0; t < steps; t++) {
            int z = 4 * len * t;
            int h = len * t;
            Ops.fillBias(b.gates, z, n, 4 * units, params, bOff);
            Ops.gemm(false, false, n, 4 * units, features, x, n * t * features, n, params, wOff, ld, true,
                    b.gates, z, n);
            if (t > 0) {
                Ops.gemm(false, false, n, 4 * units, units, b.hs, h - len, n, params, wOff + features, ld, true,
                        b.gates, z, n);
            }
            for (int k = 0; k < len; k++) {
                double ig = Ops.sigmoid(b.gates[z + k]);
                double fg = Ops.sigmoid(b.gates[z + len + k]);
                double gg = Ops.tanh(b.gates[z + 2 * len + k]);
                double og = Ops.sigmoid(b.gates[z + 3 * len + k]);
                b.gates[z + k] = ig;
                b.gates[z + len + k] = fg;
                b.gates[z + 2 * len + k] = gg;
                b.gates[z + 3 * len + k] = og;
                double c = ig * gg + (t > 0 ? fg * b.cs[h - len + k] : 0.0);
                double tc = Ops.tanh(c);
                b.cs[h + k] = c;
                b.tanhC[h + k] = tc;
                b.hs[h + k] = og * tc;
            }
        }
        if (returnSequences) {
            return b.hs;
        }
        System.arraycopy(b.hs, len * (steps - 1), b.last, 0, len);
        return b.last;
    }

    @Override
    public double[] backward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers,
                             double[] dOut, double[] grad, boolean needInputGradient) {
        LstmBuffers b = (LstmBuffers) buffers;
        int ld = features + units;
        int len = n * units;
        Arrays.fill(b.dH, 0, len, 0.0);
        Arrays.fill(b.dC, 0, len, 0.0);
        for (int t = steps - 1; t >= 0; t--) {
            int z = 4 * len * t;
            int h = len * t;
            if (returnSequences) {
                for (int k = 0; k < len; k++) b.dH[k] += dOut[h + k];
            } else if (t == steps - 1) {
                for (int k = 0; k < len; k++) b.dH[k] += dOut[k];
            }
            for (int k = 0; k < len; k++) {
                double ig = b.gates[z + k];
                double fg = b.gates[z + len + k];
                double gg = b.gates[z + 2 * len + k];
                double og = b.gates[z + 3 * len + k];
                double tc = b.tanhC[h + k];
                double dh = b.dH[k];
                double dc = b.dC[k] + dh * og * (1.0 - tc * tc);
                double cPrev = t > 0 ? b.cs[h - len + k] : 0.0;
                b.dZ[k] = dc * gg * ig * (1.0 - ig);
                b.dZ[len + k] = dc * cPrev * fg * (1.0 - fg);
                b.dZ[2 * len + k] = dc * ig * (1.0 - gg * gg);
                b.dZ[3 * len + k] = dh * tc * og * (1.0 - og);
                b.dC[k] = dc * fg;
            }
            int g4 = 4 * units;
            Ops.gemm(true, false, features, g4, n, x, n * t * features, n, b.dZ, 0, n, true, grad, wOff, ld);
            if (t > 0) {
                Ops.gemm(true, false, units, g4, n, b.hs, h - len, n, b.dZ, 0, n, true, grad, wOff + features, ld);
            }
            Ops.addColumnSums(b.dZ, 0, n, g4, grad, bOff);
            if (needInputGradient) {
                Ops.gemm(false, true, n, features, g4, b.dZ, 0, n, params, wOff, ld, false, b.dIn, n * t * features, n);
            }
            if (t > 0) {
                Ops.gemm(false, true, n, units, g4, b.dZ, 0, n, params, wOff + features, ld, false, b.dH, 0, n);
            }
        }
        return needInputGradient ? b.dIn : null;
    }

    @Override
    public float[] forward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers) {
        LstmBuffers b = (LstmBuffers) buffers;
        int ld = features + units;
        int len = n * units;
        float[] gates = b.gates32;
        for (int t = 0; t < steps; t++) {
            int z = 4 * len * t;
            int h = len * t;
            Ops.fillBias(gates, z, n, 4 * units, params, bOff);
            Ops.gemm(false, false, n, 4 * units, features, x, n * t * features, n, params, wOff, ld, true, gates, z, n);
            if (t > 0) {
                Ops.gemm(false, false, n, 4 * units, units, b.hs32, h - len, n, params, wOff + features, ld, true,
                        gates, z, n);
            }
            for (int k = 0; k < len; k++) {
                float ig = (float) Ops.sigmoid(gates[z + k]);
                float fg = (float) Ops.sigmoid(gates[z + len + k]);
                float gg = (float) Ops.tanh(gates[z + 2 * len + k]);
                float og = (float) Ops.sigmoid(gates[z + 3 * len + k]);
                gates[z + k] = ig;
                gates[z + len + k] = fg;
                gates[z + 2 * len + k] = gg;
                gates[z + 3 * len + k] = og;
                float c = ig * gg + (t > 0 ? fg * b.cs32[h - len + k] : 0.0f);
                float tc = (float) Ops.tanh(c);
                b.cs32[h + k] = c;
                b.tanhC32[h + k] = tc;
                b.hs32[h + k] = og * tc;
            }
        }
        if (returnSequences) {
            return b.hs32;
        }
        System.arraycopy(b.hs32, len * (steps - 1), b.last32, 0, len);
        return b.last32;
    }

    @Override
    public float[] backward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers,
                            float[] dOut, float[] grad, boolean needInputGradient) {
        LstmBuffers b = (LstmBuffers) buffers;
        int ld = features + units;
        int len = n * units;
        float[] dH = b.dH32;
        float[] dC = b.dC32;
        float[] dZ = b.dZ32;
        Arrays.fill(dH, 0, len, 0.0f);
        Arrays.fill(dC, 0, len, 0.0f);
        for (int t = steps - 1; t >= 0; t--) {
            int z = 4 * len * t;
            int h = len * t;
            if (returnSequences) {
                for (int k = 0; k < len; k++) dH[k] += dOut[h + k];
            } else if (t == steps - 1) {
                for (int k = 0; k < len; k++) dH[k] += dOut[k];
            }
            for (int k = 0; k < len; k++) {
                float ig = b.gates32[z + k];
                float fg = b.gates32[z + len + k];
                float gg = b.gates32[z + 2 * len + k];
                float og = b.gates32[z + 3 * len + k];
                float tc = b.tanhC32[h + k];
                float dh = dH[k];
                float dc = dC[k] + dh * og * (1.0f - tc * tc);
                float cPrev = t > 0 ? b.cs32[h - len + k] : 0.0f;
                dZ[k] = dc * gg * ig * (1.0f - ig);
                dZ[len + k] = dc * cPrev * fg * (1.0f - fg);
                dZ[2 * len + k] = dc * ig * (1.0f - gg * gg);
                dZ[3 * len + k] = dh * tc * og * (1.0f - og);
                dC[k] = dc * fg;
            }
            int g4 = 4 * units;
            Ops.gemm(true, false, features, g4, n, x, n * t * features, n, dZ, 0, n, true, grad, wOff, ld);
            if (t > 0) {
                Ops.gemm(true, false, units, g4, n, b.hs32, h - len, n, dZ, 0, n, true, grad, wOff + features, ld);
            }
            Ops.addColumnSums(dZ, 0, n, g4, grad, bOff);
            if (needInputGradient) {
                Ops.gemm(false, true, n, features, g4, dZ, 0, n, params, wOff, ld, false, b.dIn32, n * t * features, n);
            }
            if (t > 0) {
                Ops.gemm(false, true, n, units, g4, dZ, 0, n, params, wOff + features, ld, false, dH, 0, n);
            }
        }
        return needInputGradient ? b.dIn32 : null;
    }

    private static final class LstmBuffers extends Buffers {
        final double[] gates;
        final double[] cs;
        final double[] tanhC;
        final double[] hs;
        final double[] last;
        final double[] dH;
        final double[] dC;
        final double[] dZ;
        final double[] dIn;
        final float[] gates32;
        final float[] cs32;
        final float[] tanhC32;
        final float[] hs32;
        final float[] last32;
        final float[] dH32;
        final float[] dC32;
        final float[] dZ32;
        final float[] dIn32;

        LstmBuffers(int maxRows, Precision precision, int steps, int features, int units, boolean returnSequences) {
            super(maxRows, precision);
            int len = Math.multiplyExact(maxRows, units);
            int all = Math.multiplyExact(len, steps);
            int inLength = Math.multiplyExact(maxRows, Math.multiplyExact(steps, features));
            gates = doubles(Math.multiplyExact(all, 4));
            cs = doubles(all);
            tanhC = doubles(all);
            hs = doubles(all);
            last = returnSequences ? null : doubles(len);
            dH = doubles(len);
            dC = doubles(len);
            dZ = doubles(Math.multiplyExact(len, 4));
            dIn = doubles(inLength);
            gates32 = floats(Math.multiplyExact(all, 4));
            cs32 = floats(all);
            tanhC32 = floats(all);
            hs32 = floats(all);
            last32 = returnSequences ? null : floats(len);
            dH32 = floats(len);
            dC32 = floats(len);
            dZ32 = floats(Math.multiplyExact(len, 4));
            dIn32 = floats(inLength);
        }
    }
}
