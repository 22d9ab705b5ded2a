package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.check.GradientChecker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Precision#FLOAT32} pass of the 5→7→4→3 network (every hidden activation × every loss)
 * against central differences and against the FLOAT64 pass.
 *
 * <p>Tolerances. Float32 rounds at {@code eps_f = 2^-24 ≈ 6e-8} per operation, so the float32
 * summed loss f carries noise {@code δ ≈ 10 eps_f |f|} (roundings along the layers and the sums).
 * A central difference with step h has error {@code ≈ δ/h + h² |f'''|/6}: with the float64 step
 * {@code h = 1e-5} the noise alone is ~1e-1·|f| and the check is meaningless. Here
 * {@code h = 1e-3} (noise ≈ 6e-4·|f|, truncation ≈ 1e-7; a larger h such as 3e-3 was seen to
 * straddle ReLU kinks with these seeds), and two bounds: per parameter
 * {@code |a - n| <= 1e-2 · max(|a|, |n|) + 10 eps_f |f| / h} (1e-2 relative, plus the noise floor
 * for near-zero partials), and normwise {@code ‖a - n‖₂ / ‖n‖₂ < 1e-3} (measured ≤ 2.2e-4 over
 * all 18 cases). A wrong formula is off by O(1). The tight check compares the float32 ANALYTIC
 * gradient with the float64 analytic gradient of the same function: they differ by float rounding
 * only, measured ~1e-6 of the largest entry; the bound is {@code 1e-5 · ‖g64‖∞} per entry.
 */
class Float32NetworkTest {
    private static final int N = 6;
    private static final double EPS_F = Math.ulp(1.0f) / 2;

    static Stream<Arguments> hiddenActivationsAndLosses() {
        return NetworkGradientTest.hiddenActivationsAndLosses();
    }

    private record Case(Network net, double[] params, Matrix x, Targets y) {}

    private static Case newCase(ActivationKind hidden, LossKind loss, long seed) {
        SplittableRandom rng = new SplittableRandom(seed + hidden.ordinal() * 7L + loss.ordinal());
        Network net = NetworkGradientTest.network(hidden, loss);
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 7 + hidden.ordinal());
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.1 * rng.nextGaussian(); // non-zero biases too
        }
        Matrix x = Matrix.normal(N, 5, 0, 1, rng);
        return new Case(net, params, x, NetworkGradientTest.targets(loss, rng, N));
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }

    @ParameterizedTest(name = "{0} hidden, {1}")
    @MethodSource("hiddenActivationsAndLosses")
    void givenFloat32Workspace_whenGradientCheckedWithStep1e3_thenWithinFloat32Bounds(
            ActivationKind hidden, LossKind loss) {
        Case c = newCase(hidden, loss, 42);
        Network.Workspace ws = c.net.newWorkspace(N, Precision.FLOAT32);
        double[] grad = new double[c.net.numParams()];
        double sum = c.net.lossAndGradientSum(c.params, c.x, c.y, grad, ws);
        double[] params = c.params.clone();
        double h = 1e-3;
        double noiseFloor = 10 * EPS_F * Math.abs(sum) / h;

        double diff2 = 0;
        double numeric2 = 0;
        for (int i = 0; i < params.length; i++) {
            double numeric = GradientChecker.numericPartial(p -> c.net.lossSum(p, c.x, c.y, ws), params, i, h);
            double a = grad[i];
            double bound = 1e-2 * Math.max(Math.abs(a), Math.abs(numeric)) + noiseFloor;
            int index = i;
            assertTrue(Math.abs(a - numeric) <= bound, () -> "parameter " + index + " ("
                    + c.net.layout().segmentOf(index).name() + "): analytic " + a + " numeric " + numeric
                    + ", bound " + bound);
            diff2 += (a - numeric) * (a - numeric);
            numeric2 += numeric * numeric;
        }
        double normwise = Math.sqrt(diff2 / numeric2);

        assertTrue(Double.isFinite(sum) && sum > 0);
        assertTrue(normwise < 1e-3, "normwise relative error " + normwise);
        assertArrayEquals(c.params, params, 0.0, "checker restored the parameters");
        assertTrue(maxAbs(grad) > 1e-2, "gradient is not trivially zero");
    }

    @ParameterizedTest(name = "{0} hidden, {1}")
    @MethodSource("hiddenActivationsAndLosses")
    void givenSameParams_whenFloat32AndFloat64AnalyticGradients_thenAgreeWithin1e5OfLargest(
            ActivationKind hidden, LossKind loss) {
        Case c = newCase(hidden, loss, 99);
        double[] g64 = new double[c.net.numParams()];
        double[] g32 = new double[c.net.numParams()];

        double l64 = c.net.lossAndGradientSum(c.params, c.x, c.y, g64, c.net.newWorkspace(N));
        double l32 = c.net.lossAndGradientSum(c.params, c.x, c.y, g32, c.net.newWorkspace(N, Precision.FLOAT32));

        double scale = maxAbs(g64);
        assertTrue(scale > 1e-2, "gradient is not trivially zero: " + scale);
        double worst = 0;
        for (int i = 0; i < g64.length; i++) {
            worst = Math.max(worst, Math.abs(g32[i] - g64[i]) / scale);
        }
        assertTrue(worst < 1e-5, "worst |g32 - g64| / max|g64| = " + worst);
        assertEquals(l64, l32, 1e-5 * Math.max(1, Math.abs(l64)), "summed loss");
        assertEquals(l64, c.net.lossSum(c.params, c.x, c.y, c.net.newWorkspace(N, Precision.FLOAT32)),
                1e-5 * Math.max(1, Math.abs(l64)), "lossSum in float32");
    }

    @ParameterizedTest(name = "{0} hidden, {1}")
    @MethodSource("hiddenActivationsAndLosses")
    void givenSameParams_whenFloat32Predict_thenMatchesFloat64Within1e5(ActivationKind hidden, LossKind loss) {
        Case c = newCase(hidden, loss, 7);

        Matrix p64 = c.net.predict(c.params, c.x, c.net.newWorkspace(N)).copy();
        Matrix p32 = c.net.predict(c.params, c.x, c.net.newWorkspace(N, Precision.FLOAT32)).copy();

        assertEquals(p64.shape(), p32.shape());
        for (int i = 0; i < p64.size(); i++) {
            double e = p64.data()[i];
            assertEquals(e, p32.data()[i], 1e-5 * Math.max(1, Math.abs(e)), "output element " + i);
        }
    }

    @ParameterizedTest(name = "{0} hidden, {1}")
    @MethodSource("hiddenActivationsAndLosses")
    void givenFloat32WorkspaceLargerThanBatch_whenComputing_thenSameAsExactWorkspaceAndAccumulates(
            ActivationKind hidden, LossKind loss) {
        SplittableRandom rng = new SplittableRandom(11);
        Network net = NetworkGradientTest.network(hidden, loss);
        double[] params = net.initParams(InitKind.XAVIER_UNIFORM, 9);
        Network.Workspace big = net.newWorkspace(50, Precision.FLOAT32);
        // a full-size batch first leaves stale values in every buffer of the big workspace
        net.lossAndGradientSum(params, Matrix.normal(50, 5, 0, 1, rng), NetworkGradientTest.targets(loss, rng, 50),
                new double[net.numParams()], big);
        Matrix x = Matrix.normal(3, 5, 0, 1, rng);
        Targets y = NetworkGradientTest.targets(loss, rng, 3);

        double[] gExact = new double[net.numParams()];
        double lExact = net.lossAndGradientSum(params, x, y, gExact, net.newWorkspace(3, Precision.FLOAT32));
        double[] gBig = new double[net.numParams()];
        Arrays.fill(gBig, 1.0);
        double lBig = net.lossAndGradientSum(params, x, y, gBig, big);
        Matrix pExact = net.predict(params, x, net.newWorkspace(3, Precision.FLOAT32)).copy();
        Matrix pBig = net.predict(params, x, big);

        assertEquals(50, big.maxRows());
        assertEquals(Precision.FLOAT32, big.precision());
        assertEquals(lExact, lBig, 1e-6 * Math.max(1, Math.abs(lExact)));
        for (int i = 0; i < gExact.length; i++) {
            assertEquals(gExact[i] + 1.0, gBig[i], 1e-6, "gradient must be ADDED to the accumulator, entry " + i);
        }
        assertEquals(3, pBig.rows());
        assertArrayEquals(pExact.data(), pBig.copy().data(), 1e-6);
    }

    @Test
    void givenFloatBlockInput_whenEitherPrecision_thenSameAsDoubleInputOfTheSameValues() {
        Case c = newCase(ActivationKind.TANH, LossKind.SOFTMAX_CE, 5);
        FloatMatrix xf = FloatMatrix.of(c.x);
        Matrix xRounded = xf.toMatrix();
        for (Precision p : Precision.values()) {
            Network.Workspace ws = c.net.newWorkspace(N, p);
            double[] gFloatIn = new double[c.net.numParams()];
            double[] gDoubleIn = new double[c.net.numParams()];

            double lFloatIn = c.net.lossAndGradientSum(c.params, xf, c.y, gFloatIn, ws);
            double lDoubleIn = c.net.lossAndGradientSum(c.params, xRounded, c.y, gDoubleIn, ws);

            assertEquals(lDoubleIn, lFloatIn, 0.0, p + " loss");
            assertArrayEquals(gDoubleIn, gFloatIn, 0.0, p + " gradient");
            assertEquals(lDoubleIn, c.net.lossSum(c.params, xf, c.y, ws), 0.0, p + " lossSum");
            Matrix predFloatIn = c.net.predict(c.params, xf, ws).copy();
            assertArrayEquals(c.net.predict(c.params, xRounded, ws).copy().data(), predFloatIn.data(), 0.0,
                    p + " predict");
        }
    }

    @Test
    void givenLogitsInTheThousands_whenFloat32SoftmaxCeAndBce_thenFiniteLossAndGradient() {
        for (LossKind loss : List.of(LossKind.SOFTMAX_CE, LossKind.BCE_LOGITS)) {
            for (ActivationKind hidden : List.of(ActivationKind.SIGMOID, ActivationKind.TANH, ActivationKind.RELU,
                    ActivationKind.SOFTMAX)) {
                Case c = newCase(hidden, loss, 3);
                double[] params = c.params.clone();
                for (int i = 0; i < params.length; i++) {
                    params[i] *= 300; // pre-activations and logits of order 1e3
                }
                double[] grad = new double[c.net.numParams()];

                double sum = c.net.lossAndGradientSum(params, c.x, c.y, grad, c.net.newWorkspace(N, Precision.FLOAT32));

                assertTrue(Double.isFinite(sum) && sum >= 0, loss + "/" + hidden + " loss " + sum);
                assertTrue(Arrays.stream(grad).allMatch(Double::isFinite), loss + "/" + hidden + " gradient finite");
            }
        }
    }

    @Test
    void givenBadArguments_whenFloat32Workspace_thenClearErrors() {
        Network net = NetworkGradientTest.network(ActivationKind.RELU, LossKind.MSE);
        double[] params = net.initParams(InitKind.HE_NORMAL, 1);
        Network.Workspace ws = net.newWorkspace(2, Precision.FLOAT32);
        FloatMatrix tooMany = FloatMatrix.zeros(3, 5);
        Targets y3 = Targets.ofMatrix(Matrix.zeros(3, 3));

        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> net.lossAndGradientSum(params, tooMany, y3, new double[net.numParams()], ws));
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> net.newWorkspace(2, null));
        Network other = NetworkGradientTest.network(ActivationKind.TANH, LossKind.MSE);
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> other.predict(params, FloatMatrix.zeros(1, 5), ws));

        assertTrue(rows.getMessage().contains("maxRows=2"), rows.getMessage());
        assertTrue(nul.getMessage().contains("FLOAT32"), nul.getMessage());
        assertTrue(foreign.getMessage().contains("workspace"), foreign.getMessage());
        assertEquals(Precision.FLOAT64, net.newWorkspace(2).precision());
    }

    @Test
    void givenBadLabel_whenFloat32Step_thenRejectedBeforeAccumulatorTouched() {
        Network net = NetworkGradientTest.network(ActivationKind.RELU, LossKind.SOFTMAX_CE);
        double[] params = net.initParams(InitKind.HE_NORMAL, 1);
        double[] acc = new double[net.numParams()];
        Arrays.fill(acc, 2.0);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.lossAndGradientSum(
                params, Matrix.normal(2, 5, 0, 1, 4), Targets.ofValues(2, new double[] {1, 7}), acc,
                net.newWorkspace(2, Precision.FLOAT32)));

        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
        assertTrue(Arrays.stream(acc).allMatch(v -> v == 2.0), "accumulator untouched");
    }

    // ------------------------------------------------------------------ end-to-end fits in float32

    @Test
    void givenThreeSeparableBlobs_whenSoftmaxClassifierTrainedInFloat32_thenAccuracyAbove95Percent() {
        int perClass = 40;
        int n = 3 * perClass;
        Matrix x = Matrix.zeros(n, 2);
        double[] labels = new double[n];
        Matrix noise = Matrix.normal(n, 2, 0, 0.5, 5);
        double[][] centres = {{0, 3}, {3, -2}, {-3, -2}};
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            labels[i] = c;
            x.set(i, 0, centres[c][0] + noise.get(i, 0));
            x.set(i, 1, centres[c][1] + noise.get(i, 1));
        }
        FloatMatrix xf = FloatMatrix.of(x); // cached once as float, as the job would
        Network net = new Network(List.of(new LayerSpec(2, 16, ActivationKind.RELU),
                new LayerSpec(16, 3, ActivationKind.IDENTITY)), LossKind.SOFTMAX_CE);
        double[] params = net.initParams(InitKind.HE_NORMAL, 3);
        double[] grad = new double[net.numParams()];
        Targets y = Targets.ofValues(n, labels);
        Network.Workspace ws = net.newWorkspace(n, Precision.FLOAT32);
        double initial = net.lossSum(params, xf, y, ws) / n;

        double last = initial;
        for (int step = 0; step < 300; step++) {
            Arrays.fill(grad, 0.0);
            last = net.lossAndGradientSum(params, xf, y, grad, ws) / n;
            for (int i = 0; i < params.length; i++) {
                params[i] -= 0.1 * grad[i] / n;
            }
        }
        int[] predicted = EndToEndFitTest.argmaxPerRow(net.predict(params, xf, ws));
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += predicted[i] == (int) labels[i] ? 1 : 0;
        }

        assertTrue(last < 0.5 * initial, "loss " + initial + " -> " + last);
        assertTrue(correct >= 0.95 * n, correct + "/" + n);
    }

    @Test
    void givenXor_whenTwoLayerNetworkTrainedInFloat32_thenAllFourCorrectLikeFloat64() {
        Network net = new Network(List.of(
                new LayerSpec(2, 8, ActivationKind.TANH),
                new LayerSpec(8, 1, ActivationKind.IDENTITY)), LossKind.BCE_LOGITS);
        Matrix x = Matrix.fromRows(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Targets y = Targets.ofValues(4, new double[] {0, 1, 1, 0});
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 2024);
        double[] grad = new double[net.numParams()];
        Network.Workspace ws = net.newWorkspace(4, Precision.FLOAT32);
        double initial = net.lossSum(params, x, y, ws) / 4;

        double loss = initial;
        for (int step = 0; step < 3000; step++) {
            Arrays.fill(grad, 0.0);
            loss = net.lossAndGradientSum(params, x, y, grad, ws) / 4;
            for (int i = 0; i < params.length; i++) {
                params[i] -= 0.5 * grad[i] / 4;
            }
        }
        Matrix p = net.predict(params, x, ws);
        int[] predicted = new int[4];
        for (int i = 0; i < 4; i++) {
            predicted[i] = p.get(i, 0) > 0.5 ? 1 : 0;
        }

        assertTrue(initial > 0.6, "starts near chance: " + initial);
        assertTrue(loss < 0.02, "final loss " + loss);
        assertArrayEquals(new int[] {0, 1, 1, 0}, predicted);
    }
}
