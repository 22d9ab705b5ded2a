package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Network#gradientSum}: the gradient written over a (possibly longer) output buffer carries exactly the bits
 * {@link Network#lossAndGradientSum} adds to a zero-filled accumulator, in both precisions, for dense and float
 * inputs and for a general stack, and leaves the entries past the parameters alone. The ReLU hidden layer with a
 * negative bias makes some units dead, so exact zeros (the sign-of-zero case of the float32 assignment) occur.
 */
class GradientSumTest {
    private static final int N = 9;
    private static final double TAIL = 12345.5;

    private static double[] accumulated(Network net, double[] params, Matrix x, Targets y, Network.Workspace ws,
                                        double[] lossOut) {
        double[] acc = new double[net.numParams()];
        lossOut[0] = net.lossAndGradientSum(params, x, y, acc, ws);
        return acc;
    }

    private static double[] garbage(int len, SplittableRandom rng) {
        double[] out = new double[len];
        for (int i = 0; i < len; i++) out[i] = i % 5 == 0 ? -0.0 : rng.nextGaussian() * 1e3;
        out[len - 1] = TAIL;
        out[len - 2] = TAIL;
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void givenADenseNetworkWithDeadUnits_whenGradientSumOverALongerDirtyBuffer_thenTheBitsOfTheAccumulatedForm(
            Precision precision) {
        SplittableRandom rng = new SplittableRandom(17);
        Network net = NetworkGradientTest.network(ActivationKind.RELU, LossKind.SOFTMAX_CE);
        double[] params = net.initParams(InitKind.HE_NORMAL, 5);
        int b0 = net.layout().biasOffset(0);
        for (int j = 0; j < 3; j++) params[b0 + j] = -50.0; // three dead hidden units: exact-zero gradient columns
        Matrix x = Matrix.normal(N, net.inputSize(), 0, 1, rng);
        Targets y = NetworkGradientTest.targets(LossKind.SOFTMAX_CE, rng, N);
        Network.Workspace ws = net.newWorkspace(N, precision);
        double[] loss = new double[1];
        double[] want = accumulated(net, params, x, y, ws, loss);

        double[] out = garbage(net.numParams() + 2, rng);
        double got = net.gradientSum(params, x, y, out, ws);
        double[] outF = garbage(net.numParams() + 2, rng);
        double gotF = net.gradientSum(params, FloatMatrix.of(x), y, outF, ws);

        assertEquals(loss[0], got);
        assertArrayEquals(want, Arrays.copyOf(out, want.length));
        assertEquals(TAIL, out[want.length]);
        assertEquals(TAIL, out[want.length + 1]);
        long zeros = Arrays.stream(want).filter(v -> v == 0.0).count();
        assertTrue(zeros > 0, "the case must have exact-zero gradient entries");
        if (precision == Precision.FLOAT32) { // a float input block is the rounded double one: the same bits
            assertEquals(loss[0], gotF);
            assertArrayEquals(want, Arrays.copyOf(outF, want.length));
        }
        assertEquals(0.0, net.gradientSum(params, Matrix.zeros(0, net.inputSize()), Targets.ofValues(0, new double[0]),
                out, ws));
        assertArrayEquals(new double[want.length], Arrays.copyOf(out, want.length));
    }

    @Test
    void givenKeptFloatWeights_whenGradientSumAt_thenTheWidenedFloatGradientIsTheDoubleFormsBits() {
        SplittableRandom rng = new SplittableRandom(29);
        Network net = NetworkGradientTest.network(ActivationKind.RELU, LossKind.SOFTMAX_CE);
        double[] params = net.initParams(InitKind.HE_NORMAL, 9);
        int b0 = net.layout().biasOffset(0);
        for (int j = 0; j < 3; j++) params[b0 + j] = -50.0;
        float[] weights = new float[params.length];
        FloatMatrix.toFloat(params, 0, weights, 0, params.length);
        FloatMatrix x = FloatMatrix.of(Matrix.normal(N, net.inputSize(), 0, 1, rng));
        Targets y = NetworkGradientTest.targets(LossKind.SOFTMAX_CE, rng, N);
        Network.Workspace ws = net.newWorkspace(N, Precision.FLOAT32);
        double[] want = new double[net.numParams()];
        double loss = net.gradientSum(params, x, y, want, ws);

        float[] head = new float[net.numParams() + 1];
        head[net.numParams()] = 7f;
        assertEquals(loss, net.gradientSumAt(weights, x, y, head, ws));
        double[] widened = new double[want.length];
        for (int i = 0; i < widened.length; i++) widened[i] = 0.0 + head[i];
        assertArrayEquals(want, widened);
        assertEquals(7f, head[net.numParams()]);

        IllegalArgumentException f64 = assertThrows(IllegalArgumentException.class,
                () -> net.gradientSumAt(weights, x, y, head, net.newWorkspace(N, Precision.FLOAT64)));
        assertTrue(f64.getMessage().contains("needs a FLOAT32 workspace of a dense network"), f64.getMessage());
        IllegalArgumentException shortW = assertThrows(IllegalArgumentException.class,
                () -> net.gradientSumAt(new float[2], x, y, head, ws));
        assertTrue(shortW.getMessage().startsWith("weights has 2 entries but the network has"), shortW.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void givenAGeneralStack_whenGradientSumOverALongerBuffer_thenTheBitsOfTheAccumulatedForm(Precision precision) {
        SplittableRandom rng = new SplittableRandom(23);
        Network net = StackNetworkTest.cnn();
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 3);
        Matrix x = Matrix.normal(N, net.inputSize(), 0, 1, rng);
        Targets y = NetworkGradientTest.targets(LossKind.SOFTMAX_CE, rng, N);
        Network.Workspace ws = net.newWorkspace(N, precision);
        double[] loss = new double[1];
        double[] want = accumulated(net, params, x, y, ws, loss);

        double[] out = garbage(net.numParams() + 2, rng);
        assertEquals(loss[0], net.gradientSum(params, x, y, out, ws));
        assertArrayEquals(want, Arrays.copyOf(out, want.length));
        assertEquals(TAIL, out[want.length + 1]);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void givenAShortOutputBuffer_whenGradientSum_thenTheErrorNamesBothLengths(Precision precision) {
        Network net = NetworkGradientTest.network(ActivationKind.TANH, LossKind.MSE);
        Matrix x = Matrix.zeros(2, net.inputSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.gradientSum(
                net.initParams(InitKind.ZEROS, 1), x, Targets.ofValues(2, new double[2]), new double[3],
                net.newWorkspace(2, precision)));
        assertTrue(e.getMessage().startsWith("gradOut has 3 entries but the network has " + net.numParams()),
                e.getMessage());
    }
}
