package org.descent.math.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.descent.math.check.GradientChecker;
import org.descent.math.nn.ActivationKind;
import org.junit.jupiter.api.Test;

/**
 * Every layer's parameter AND input gradients against central differences of
 * {@code f(W, b, X) = Σ R ⊙ layer(X)} for a fixed random {@code R} (so {@code ∂f/∂out = R}): the
 * parameters and the input block are concatenated into one vector and checked entry by entry.
 */
class LayerGradientTest {
    private static final double TOLERANCE = 1e-6;
    private static final double ATOL = 1e-8;

    @Test
    void givenConvStride1NoPaddingWhenCheckedThenGradientsMatch() {
        assertGradients(new LayerDef.Conv2D(3, 3, 1, 0, ActivationKind.TANH, 0.01), Shape.of(2, 5, 6), 3);
    }

    @Test
    void givenConvStride2Padding1WhenCheckedThenGradientsMatch() {
        assertGradients(new LayerDef.Conv2D(2, 3, 2, 1, ActivationKind.TANH, 0.01), Shape.of(2, 5, 6), 2);
    }

    @Test
    void givenConvWhoseStrideDropsTheLastColumnWhenCheckedThenGradientsMatch() {
        // (7 - 2) / 2 + 1 = 3 positions: the last input column is never read, its gradient is exactly 0
        assertGradients(new LayerDef.Conv2D(2, 2, 2, 0, ActivationKind.IDENTITY, 0.01), Shape.of(1, 4, 7), 3);
    }

    @Test
    void givenConvKernelAsLargeAsThePaddedInputWhenCheckedThenGradientsMatch() {
        assertGradients(new LayerDef.Conv2D(2, 5, 1, 1, ActivationKind.SIGMOID, 0.01), Shape.of(3, 3, 3), 2);
    }

    @Test
    void givenPaddingWiderThanTheKernelReachWhenCheckedThenGradientsMatch() {
        // padding 2 with kernel 2: the corner outputs see only padding (their input gradient is bias-only)
        assertGradients(new LayerDef.Conv2D(2, 2, 1, 2, ActivationKind.TANH, 0.01), Shape.of(1, 3, 3), 2);
    }

    @Test
    void givenConvKernel1WhenCheckedThenGradientsMatch() {
        assertGradients(new LayerDef.Conv2D(4, 1, 1, 0, ActivationKind.TANH, 0.01), Shape.of(3, 2, 2), 3);
    }

    @Test
    void givenMaxPoolWithAnOddEdgeWhenCheckedThenGradientsMatch() {
        assertGradients(new LayerDef.Pool2D(true, 2, 2), Shape.of(2, 5, 4), 3);
    }

    @Test
    void givenOverlappingMaxPoolWhenCheckedThenGradientsMatch() {
        assertGradients(new LayerDef.Pool2D(true, 3, 1), Shape.of(2, 4, 5), 2);
    }

    @Test
    void givenAvgPoolWhenCheckedThenGradientsMatch() {
        assertGradients(new LayerDef.Pool2D(false, 2, 2), Shape.of(2, 4, 5), 3);
        assertGradients(new LayerDef.Pool2D(false, 3, 2), Shape.of(1, 7, 5), 2);
    }

    @Test
    void givenDenseOnAnImageWhenCheckedThenGradientsMatch() {
        assertGradients(new LayerDef.Dense(4, ActivationKind.TANH, 0.01), Shape.of(2, 3, 2), 3);
    }

    @Test
    void givenSimpleRnnWhenCheckedThenGradientsMatchForLastAndAllSteps() {
        assertGradients(new LayerDef.Recurrent(false, 5, false), Shape.of(4, 3), 3);
        assertGradients(new LayerDef.Recurrent(false, 5, true), Shape.of(4, 3), 3);
    }

    @Test
    void givenLstmWhenCheckedThenGradientsMatchForLastAndAllSteps() {
        assertGradients(new LayerDef.Recurrent(true, 4, false), Shape.of(5, 3), 3);
        assertGradients(new LayerDef.Recurrent(true, 4, true), Shape.of(5, 3), 3);
    }

    @Test
    void givenASingleStepSequenceWhenCheckedThenGradientsMatch() {
        assertGradients(new LayerDef.Recurrent(true, 3, false), Shape.of(1, 2), 2);
        assertGradients(new LayerDef.Recurrent(false, 3, true), Shape.of(1, 2), 2);
    }

    @Test
    void givenFlattenWhenRunThenItIsAViewBothWays() {
        Layer f = new LayerDef.Flatten().build(Shape.of(2, 3, 4), 0);
        assertEquals(Shape.of(24), f.outShape());
        double[] x = new double[48];
        Layer.Buffers b = f.newBuffers(2);
        assertSame(x, f.forward(new double[0], 0, 0, x, 2, b));
        double[] d = new double[48];
        assertSame(d, f.backward(new double[0], 0, 0, x, 2, b, d, new double[0], true));
        assertNull(f.backward(new double[0], 0, 0, x, 2, b, d, new double[0], false));
    }

    @Test
    void givenAWorkspaceForMoreRowsWhenABlockIsSmallerThenTheResultIsTheSame() {
        // buffers are sized for maxRows and re-used for any n <= maxRows: a 2-row block in an 8-row
        // workspace gives the same output as in a 2-row one
        Layer conv = new LayerDef.Conv2D(2, 3, 1, 1, ActivationKind.RELU, 0.01).build(Shape.of(1, 4, 4), 0);
        SplittableRandom rng = new SplittableRandom(3);
        double[] p = random(rng, conv.weightRows() * conv.weightCols() + conv.biasSize());
        double[] x = random(rng, 2 * 16);
        double[] small = conv.forward(p, 0, conv.weightRows() * conv.weightCols(), x, 2, conv.newBuffers(2)).clone();
        double[] big = conv.forward(p, 0, conv.weightRows() * conv.weightCols(), x, 2, conv.newBuffers(8));
        for (int i = 0; i < small.length; i++) {
            assertEquals(small[i], big[i], 0.0);
        }
    }

    /**
     * Every layer type in float32 ({@link org.descent.math.nn.Precision#FLOAT32} buffers, float parameters,
     * input and upstream gradient): its parameter and input gradients against the float64 central differences
     * of the same function, at float32 tolerance (see {@link #assertGradients32}), including the stride,
     * padding and edge cases above.
     */
    @Test
    void givenEveryLayerInFloat32WhenCheckedThenGradientsMatchAtFloatTolerance() {
        assertGradients32(new LayerDef.Conv2D(3, 3, 1, 0, ActivationKind.TANH, 0.01), Shape.of(2, 5, 6), 3);
        assertGradients32(new LayerDef.Conv2D(2, 3, 2, 1, ActivationKind.TANH, 0.01), Shape.of(2, 5, 6), 2);
        assertGradients32(new LayerDef.Conv2D(2, 2, 2, 0, ActivationKind.IDENTITY, 0.01), Shape.of(1, 4, 7), 3);
        assertGradients32(new LayerDef.Conv2D(2, 2, 1, 2, ActivationKind.SIGMOID, 0.01), Shape.of(1, 3, 3), 2);
        assertGradients32(new LayerDef.Pool2D(true, 2, 2), Shape.of(2, 5, 4), 3);
        assertGradients32(new LayerDef.Pool2D(true, 3, 1), Shape.of(2, 4, 5), 2);
        assertGradients32(new LayerDef.Pool2D(false, 3, 2), Shape.of(1, 7, 5), 2);
        assertGradients32(new LayerDef.Dense(4, ActivationKind.TANH, 0.01), Shape.of(2, 3, 2), 3);
        assertGradients32(new LayerDef.Recurrent(false, 5, false), Shape.of(4, 3), 3);
        assertGradients32(new LayerDef.Recurrent(false, 5, true), Shape.of(4, 3), 3);
        assertGradients32(new LayerDef.Recurrent(true, 4, false), Shape.of(5, 3), 3);
        assertGradients32(new LayerDef.Recurrent(true, 4, true), Shape.of(5, 3), 2);
    }

    /**
     * The float32 analytic gradient (float parameters, input and {@code R}, i.e. the values the float64
     * function is evaluated at) against float64 central differences: per entry
     * {@code |a - num| <= 1e-3 max(|a|, |num|) + 1e-4 ‖num‖∞}. Float rounds at 6e-8 per operation, so a
     * correct float pass is ~1e-6 off; a wrong formula is O(1) off.
     */
    static void assertGradients32(LayerDef def, Shape in, int n) {
        Layer layer = def.build(in, 0);
        int nw = layer.weightRows() * layer.weightCols();
        int np = nw + layer.biasSize();
        int nx = n * in.size();
        int ny = n * layer.outShape().size();
        SplittableRandom rng = new SplittableRandom(31 + in.size() + n);
        double[] v = new double[np + nx];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * (i < np ? 0.5 : 1.0));
        }
        double[] r = random(rng, ny);
        for (int i = 0; i < ny; i++) {
            r[i] = (float) r[i];
        }
        Layer.Buffers b64 = layer.newBuffers(n);
        java.util.function.ToDoubleFunction<double[]> f = w -> {
            double[] out = layer.forward(w, 0, nw, java.util.Arrays.copyOfRange(w, np, np + nx), n, b64);
            double s = 0;
            for (int i = 0; i < ny; i++) {
                s += r[i] * out[i];
            }
            return s;
        };
        float[] p32 = new float[np];
        float[] x32 = new float[nx];
        float[] r32 = new float[ny];
        for (int i = 0; i < np; i++) p32[i] = (float) v[i];
        for (int i = 0; i < nx; i++) x32[i] = (float) v[np + i];
        for (int i = 0; i < ny; i++) r32[i] = (float) r[i];
        Layer.Buffers b32 = layer.newBuffers(n, org.descent.math.nn.Precision.FLOAT32);
        float[] g32 = new float[np];
        layer.forward(p32, 0, nw, x32, n, b32);
        float[] dIn = layer.backward(p32, 0, nw, x32, n, b32, r32, g32, true);
        double[] num = new double[v.length];
        double scale = 0;
        for (int i = 0; i < v.length; i++) {
            num[i] = GradientChecker.numericPartial(f, v, i, 1e-5);
            scale = Math.max(scale, Math.abs(num[i]));
        }
        assertTrue(scale > 1e-3, def.describe() + ": gradient is zero");
        for (int i = 0; i < v.length; i++) {
            double a = i < np ? g32[i] : dIn[i - np];
            double allowed = 1e-3 * Math.max(Math.abs(a), Math.abs(num[i])) + 1e-4 * scale;
            if (!(Math.abs(a - num[i]) <= allowed)) {
                throw new AssertionError(def.describe() + " on " + in + " (float32): "
                        + (i < np ? "parameter " + i : "input " + (i - np)) + " analytic " + a + " vs numeric " + num[i]);
            }
        }
    }

    /** Checks every weight, bias and input entry of {@code def} built on {@code in}, with n rows. */
    static void assertGradients(LayerDef def, Shape in, int n) {
        Layer layer = def.build(in, 0);
        int nw = layer.weightRows() * layer.weightCols();
        int np = nw + layer.biasSize();
        int nx = n * in.size();
        int ny = n * layer.outShape().size();
        SplittableRandom rng = new SplittableRandom(17 + in.size() + n);
        double[] v = new double[np + nx];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian() * (i < np ? 0.5 : 1.0);
        }
        double[] r = random(rng, ny);
        Layer.Buffers buffers = layer.newBuffers(n);
        java.util.function.ToDoubleFunction<double[]> f = w -> {
            double[] x = java.util.Arrays.copyOfRange(w, np, np + nx);
            double[] out = layer.forward(w, 0, nw, x, n, buffers);
            double s = 0;
            for (int i = 0; i < ny; i++) {
                s += r[i] * out[i];
            }
            return s;
        };
        double[] analytic = new double[v.length];
        double[] x = java.util.Arrays.copyOfRange(v, np, np + nx);
        layer.forward(v, 0, nw, x, n, buffers);
        double[] dIn = layer.backward(v, 0, nw, x, n, buffers, r.clone(), analytic, true);
        System.arraycopy(dIn, 0, analytic, np, nx);
        assertClose(def.describe() + " on " + in, f, v, analytic, np);
        // the gradient must not be trivially zero
        double norm = 0;
        for (double a : analytic) norm += a * a;
        assertTrue(norm > 1e-6, def.describe() + ": gradient is zero");
    }

    /**
     * Entry by entry: {@code |analytic - numeric| <= ATOL + RTOL max(|analytic|, |numeric|)}. The absolute
     * part absorbs the round-off of a central difference of an O(10) function with h = 1e-5 (~1e-10);
     * a wrong term is orders of magnitude above it.
     */
    static void assertClose(String what, java.util.function.ToDoubleFunction<double[]> f, double[] v,
                            double[] analytic, int numParams) {
        for (int i = 0; i < v.length; i++) {
            double num = GradientChecker.numericPartial(f, v, i, 1e-5);
            double a = analytic[i];
            double allowed = ATOL + TOLERANCE * Math.max(Math.abs(a), Math.abs(num));
            if (!(Math.abs(a - num) <= allowed)) {
                throw new AssertionError(what + ": " + (i < numParams ? "parameter " + i : "input " + (i - numParams))
                        + " analytic " + a + " vs numeric " + num + " (relative error "
                        + GradientChecker.relativeError(a, num) + ")");
            }
        }
    }

    static double[] random(SplittableRandom rng, int len) {
        double[] a = new double[len];
        for (int i = 0; i < len; i++) {
            a[i] = rng.nextGaussian();
        }
        return a;
    }
}
