package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.SparseTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Network#lossSumAndPredict} (evaluation's one forward pass) gives bit for bit what {@link Network#lossSum}
 * followed by {@link Network#predict} give, for every loss, both precisions and every input form (dense double, dense
 * float, sparse), on a general stack (which runs the two passes) and on an empty block.
 */
class LossSumAndPredictTest {
    private static final int N = 9;

    static Stream<Arguments> lossesAndPrecisions() {
        List<Arguments> cases = new ArrayList<>();
        for (LossKind loss : LossKind.values()) {
            for (Precision p : Precision.values()) cases.add(Arguments.of(loss, p));
        }
        return cases.stream();
    }

    /** The separate calls, each on its own workspace, against the fused call on a third. */
    private static void assertSameBits(Network net, double[] params, Object x, Targets y, Precision p) {
        Network.Workspace a = net.newWorkspace(N, p);
        Network.Workspace b = net.newWorkspace(N, p);
        Network.Workspace c = net.newWorkspace(N, p);
        double loss;
        Matrix out;
        Scored fused;
        if (x instanceof Matrix m) {
            loss = net.lossSum(params, m, y, a);
            out = net.predict(params, m, b);
            fused = net.lossSumAndPredict(params, m, y, c);
        } else if (x instanceof FloatMatrix f) {
            loss = net.lossSum(params, f, y, a);
            out = net.predict(params, f, b);
            fused = net.lossSumAndPredict(params, f, y, c);
        } else {
            CsrMatrix s = (CsrMatrix) x;
            loss = net.lossSum(params, s, y, a);
            out = net.predict(params, s, b);
            fused = net.lossSumAndPredict(params, s, y, c);
        }
        assertEquals(Double.doubleToRawLongBits(loss), Double.doubleToRawLongBits(fused.lossSum()), "loss sum");
        assertEquals(out.rows(), fused.outputs().rows());
        assertEquals(out.cols(), fused.outputs().cols());
        for (int i = 0; i < out.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(out.data()[i]), Double.doubleToRawLongBits(fused.outputs().data()[i]),
                    "output entry " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("lossesAndPrecisions")
    void givenADenseNetworkAndABlock_whenScoredInOnePass_thenLossAndOutputsAreThoseOfTheTwoCalls(LossKind loss,
                                                                                                 Precision p) {
        SplittableRandom rng = new SplittableRandom(17 + loss.ordinal());
        Network net = NetworkGradientTest.network(ActivationKind.RELU, loss);
        double[] params = net.initParams(InitKind.HE_NORMAL, 5);
        Matrix x = Matrix.normal(N, 5, 0, 1, rng);
        Targets y = NetworkGradientTest.targets(loss, rng, N);
        assertSameBits(net, params, x, y, p);
        assertSameBits(net, params, FloatMatrix.of(x), y, p);
    }

    @ParameterizedTest
    @MethodSource("lossesAndPrecisions")
    void givenASparseBlock_whenScoredInOnePass_thenLossAndOutputsAreThoseOfTheTwoCalls(LossKind loss, Precision p) {
        SplittableRandom rng = new SplittableRandom(29 + loss.ordinal());
        Network net = NetworkGradientTest.network(ActivationKind.TANH, loss);
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 11);
        assertSameBits(net, params, SparseTestData.random(N, 5, 2, rng), NetworkGradientTest.targets(loss, rng, N), p);
    }

    @Test
    void givenAConvolutionalStack_whenScoredInOnePass_thenLossAndOutputsAreThoseOfTheTwoCalls() {
        SplittableRandom rng = new SplittableRandom(41);
        Network net = StackNetworkTest.cnn();
        double[] params = net.initParams(InitKind.HE_NORMAL, 3);
        Matrix x = Matrix.normal(N, net.inputSize(), 0, 1, rng);
        assertSameBits(net, params, x, NetworkGradientTest.targets(LossKind.SOFTMAX_CE, rng, N), Precision.FLOAT64);
    }

    @Test
    void givenNoRows_whenScoredInOnePass_thenTheLossIsZeroAndTheOutputEmpty() {
        Network net = NetworkGradientTest.network(ActivationKind.RELU, LossKind.SOFTMAX_CE);
        double[] params = net.initParams(InitKind.HE_NORMAL, 5);
        for (Precision p : Precision.values()) {
            Scored s = net.lossSumAndPredict(params, Matrix.zeros(0, 5), Targets.ofValues(0, new double[0]),
                    net.newWorkspace(N, p));
            assertEquals(0.0, s.lossSum());
            assertEquals(0, s.outputs().rows());
            assertEquals(3, s.outputs().cols());
        }
    }
}
