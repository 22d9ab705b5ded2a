package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.descent.math.Matrix;
import org.descent.math.check.GradientChecker;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole-network gradients of a 5→7→4→3 network against central differences, every hidden activation × every loss. */
class NetworkGradientTest {
    private static final int N = 6;

    static Stream<Arguments> hiddenActivationsAndLosses() {
        List<Arguments> cases = new ArrayList<>();
        for (ActivationKind hidden : ActivationKind.values()) {
            for (LossKind loss : LossKind.values()) {
                cases.add(Arguments.of(hidden, loss));
            }
        }
        return cases.stream();
    }

    static Network network(ActivationKind hidden, LossKind loss) {
        return new Network(List.of(
                new LayerSpec(5, 7, hidden, 0.1),
                new LayerSpec(7, 4, hidden, 0.1),
                new LayerSpec(4, 3, ActivationKind.IDENTITY)), loss);
    }

    static Targets targets(LossKind loss, SplittableRandom rng, int n) {
        return switch (loss) {
            case MSE -> Targets.ofMatrix(Matrix.normal(n, 3, 0, 1, rng));
            case BCE_LOGITS -> {
                Matrix t = Matrix.zeros(n, 3);
                for (int i = 0; i < t.size(); i++) {
                    t.data()[i] = rng.nextInt(2);
                }
                yield Targets.ofMatrix(t);
            }
            case SOFTMAX_CE -> {
                double[] labels = new double[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = rng.nextInt(3);
                }
                yield Targets.ofValues(n, labels);
            }
        };
    }

    @ParameterizedTest(name = "{0} hidden, {1}")
    @MethodSource("hiddenActivationsAndLosses")
    void givenThreeLayerNetwork_whenGradientChecked_thenRelativeErrorBelow1e5(ActivationKind hidden, LossKind loss) {
        SplittableRandom rng = new SplittableRandom(42 + hidden.ordinal() * 7L + loss.ordinal());
        Network net = network(hidden, loss);
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 7 + hidden.ordinal());
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.1 * rng.nextGaussian(); // non-zero biases too
        }
        Matrix x = Matrix.normal(N, 5, 0, 1, rng);
        Targets y = targets(loss, rng, N);

        double[] grad = new double[net.numParams()];
        double meanLoss = net.lossAndGradient(params, x, y, grad);
        List<GradientChecker.SegmentResult> perSegment = GradientChecker.checkPerSegment(
                p -> net.lossMean(p, x, y), params, grad, 1e-5, net.layout());

        assertTrue(Double.isFinite(meanLoss));
        assertEquals(6, perSegment.size());
        for (GradientChecker.SegmentResult r : perSegment) {
            assertEquals(r.segment().length(), r.checked());
            assertTrue(r.worstRelativeError() < 1e-5, () -> "segment " + r.segment().name() + ": " + r);
        }
        GradientChecker.Result overall = GradientChecker.check(p -> net.lossMean(p, x, y), params, grad, 1e-5);
        assertTrue(overall.worstRelativeError() < 1e-5, overall::toString);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("hiddenActivationsAndLosses")
    void givenBatch_whenSumForm_thenEqualsNTimesMeanForm(ActivationKind hidden, LossKind loss) {
        SplittableRandom rng = new SplittableRandom(5);
        Network net = network(hidden, loss);
        double[] params = net.initParams(InitKind.HE_NORMAL, 3);
        Matrix x = Matrix.normal(N, 5, 0, 1, rng);
        Targets y = targets(loss, rng, N);

        double[] meanGrad = new double[net.numParams()];
        double mean = net.lossAndGradient(params, x, y, meanGrad);
        double[] sumGrad = new double[net.numParams()];
        double sum = net.lossAndGradientSum(params, x, y, sumGrad, net.newWorkspace(N));

        assertEquals(N * mean, sum, 1e-12 * Math.max(1, Math.abs(sum)));
        for (int i = 0; i < sumGrad.length; i++) {
            assertEquals(N * meanGrad[i], sumGrad[i], 1e-12 * Math.max(1, Math.abs(sumGrad[i])));
        }
        assertEquals(sum, net.lossSum(params, x, y, net.newWorkspace(N)), 1e-12 * Math.max(1, Math.abs(sum)));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("hiddenActivationsAndLosses")
    void givenWorkspaceLargerThanBatch_whenComputing_thenSameAsExactWorkspaceAndAccumulates(
            ActivationKind hidden, LossKind loss) {
        SplittableRandom rng = new SplittableRandom(11);
        Network net = network(hidden, loss);
        double[] params = net.initParams(InitKind.XAVIER_UNIFORM, 9);
        Network.Workspace big = net.newWorkspace(50);
        // a full-size batch first leaves stale values in the big workspace
        Matrix xBig = Matrix.normal(50, 5, 0, 1, rng);
        Targets yBig = targets(loss, rng, 50);
        net.lossAndGradientSum(params, xBig, yBig, new double[net.numParams()], big);

        Matrix x = Matrix.normal(3, 5, 0, 1, rng);
        Targets y = targets(loss, rng, 3);
        double[] gExact = new double[net.numParams()];
        double lExact = net.lossAndGradientSum(params, x, y, gExact, net.newWorkspace(3));
        double[] gBig = new double[net.numParams()];
        java.util.Arrays.fill(gBig, 1.0);
        double lBig = net.lossAndGradientSum(params, x, y, gBig, big);

        assertEquals(lExact, lBig, 1e-12);
        for (int i = 0; i < gExact.length; i++) {
            assertEquals(gExact[i] + 1.0, gBig[i], 1e-12, "gradient must be ADDED to the accumulator");
        }
        Matrix pExact = net.predict(params, x, net.newWorkspace(3)).copy();
        Matrix pBig = net.predict(params, x, big);
        assertEquals(3, pBig.rows());
        assertArrayEquals(pExact.data(), pBig.copy().data(), 1e-12);
    }
}
