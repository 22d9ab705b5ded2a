package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.descent.math.Matrix;
import org.descent.math.ShapeMismatchException;
import org.descent.math.check.GradientChecker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every loss: values by hand, gradient of the batch mean against central differences, label validation. */
class LossGradientTest {
    private static final int N = 6;
    private static final int K = 3;

    private static Targets targets(LossKind kind, SplittableRandom rng) {
        switch (kind) {
            case MSE:
                return Targets.ofMatrix(Matrix.normal(N, K, 0, 1, rng));
            case BCE_LOGITS: {
                Matrix t = Matrix.zeros(N, K);
                for (int i = 0; i < t.size(); i++) {
                    t.data()[i] = rng.nextInt(2);
                }
                return Targets.ofMatrix(t);
            }
            default: {
                double[] labels = new double[N];
                for (int i = 0; i < N; i++) {
                    labels[i] = rng.nextInt(K);
                }
                return Targets.ofValues(N, labels);
            }
        }
    }

    private static GradientChecker.Result checkMean(Loss loss, Matrix z, Targets y) {
        Matrix grad = Matrix.zeros(N, K);
        loss.meanAndGradient(z, y, grad);
        return GradientChecker.check(p -> loss.mean(Matrix.wrap(N, K, p), y), z.copy().data(), grad.data(), 1e-5);
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void givenSeededInputs_whenMeanAndGradient_thenMatchesCentralDifferences(LossKind kind) {
        SplittableRandom rng = new SplittableRandom(300 + kind.ordinal());
        Loss loss = Loss.of(kind);
        Matrix z = Matrix.normal(N, K, 0, 2, rng);

        GradientChecker.Result res = checkMean(loss, z, targets(kind, rng));

        assertTrue(res.worstRelativeError() < 1e-6, res::toString);
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void givenLogitsAtPlusMinus50_whenMeanAndGradient_thenFiniteAndMatches(LossKind kind) {
        SplittableRandom rng = new SplittableRandom(400 + kind.ordinal());
        Loss loss = Loss.of(kind);
        Matrix z = Matrix.zeros(N, K);
        for (int i = 0; i < z.size(); i++) {
            z.data()[i] = (rng.nextBoolean() ? 50 : -50) + 0.5 * rng.nextGaussian();
        }
        Targets y = targets(kind, rng);
        Matrix grad = Matrix.zeros(N, K);

        double mean = loss.meanAndGradient(z, y, grad);
        GradientChecker.Result res = checkMean(loss, z, y);

        assertTrue(Double.isFinite(mean));
        for (double g : grad.data()) {
            assertTrue(Double.isFinite(g));
        }
        assertTrue(res.worstRelativeError() < 1e-6, res::toString);
    }

    @Test
    void givenKnownValues_whenMse_thenBatchMeanOfSummedSquares() {
        Matrix pred = Matrix.fromRows(new double[][] {{1, 2}, {3, 4}});
        Matrix target = Matrix.fromRows(new double[][] {{0, 2}, {1, 1}});
        Matrix grad = Matrix.zeros(2, 2);

        double mean = Loss.of(LossKind.MSE).meanAndGradient(pred, Targets.ofMatrix(target), grad);

        assertEquals((1 + 0 + 4 + 9) / 2.0, mean, 1e-15);
        assertEquals(2 * (3 - 1) / 2.0, grad.get(1, 0), 1e-15);
        assertEquals(0.0, grad.get(0, 1), 1e-15);
    }

    @Test
    void givenZeroAndExtremeLogits_whenBce_thenLog2AndStableLimits() {
        Loss bce = Loss.of(LossKind.BCE_LOGITS);
        Matrix z = Matrix.columnVector(0, 1000, -1000, 1000);
        Targets y = Targets.ofValues(4, new double[] {1, 1, 0, 0});

        double sum = bce.sum(z, y);

        assertEquals(Math.log(2) + 0 + 0 + 1000, sum, 1e-12);
    }

    @Test
    void givenUniformLogits_whenSoftmaxCe_thenLogK_andOneHotEqualsIndexLabels() {
        Loss ce = Loss.of(LossKind.SOFTMAX_CE);
        Matrix z = Matrix.fromRows(new double[][] {{2, 2, 2}, {1, 3, -1}});
        Targets idx = Targets.ofValues(2, new double[] {0, 1});
        Targets oneHot = Targets.ofMatrix(Matrix.fromRows(new double[][] {{1, 0, 0}, {0, 1, 0}}));
        Matrix g1 = Matrix.zeros(2, 3);
        Matrix g2 = Matrix.zeros(2, 3);

        double a = ce.sumAndGradient(z, idx, g1);
        double b = ce.sumAndGradient(z, oneHot, g2);

        double lse = Math.log(Math.exp(1) + Math.exp(3) + Math.exp(-1));
        assertEquals(Math.log(3) + lse - 3, a, 1e-14);
        assertEquals(a, b, 1e-14);
        for (int i = 0; i < 6; i++) {
            assertEquals(g1.data()[i], g2.data()[i], 1e-15);
        }
        assertEquals(1.0 / 3 - 1, g1.get(0, 0), 1e-15);
    }

    @Test
    void givenLogitsOfPlusMinus1000_whenSoftmaxCe_thenFinite() {
        Matrix z = Matrix.fromRows(new double[][] {{1000, -1000}, {-1000, 1000}});
        Matrix grad = Matrix.zeros(2, 2);

        double sum = Loss.of(LossKind.SOFTMAX_CE).sumAndGradient(z, Targets.ofValues(2, new double[] {0, 0}), grad);

        assertEquals(2000.0, sum, 1e-9);
        assertEquals(0.0, grad.get(0, 0));
        assertEquals(-1.0, grad.get(1, 0));
        assertEquals(1.0, grad.get(1, 1));
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.5, -1, 3, Double.NaN})
    void givenBadClassIndex_whenSoftmaxCe_thenErrorNamesRowAndRange(double bad) {
        Targets y = Targets.ofValues(2, new double[] {1, bad});

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.of(LossKind.SOFTMAX_CE).sum(Matrix.zeros(2, 3), y));

        assertEquals("SOFTMAX_CE targets: row 1 has " + bad + "; expected a class index, an integer in [0, 2]",
                e.getMessage());
    }

    @Test
    void givenLabelOutsideZeroOne_whenBce_thenErrorNamesRow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.of(LossKind.BCE_LOGITS).sum(Matrix.zeros(3, 1), Targets.ofValues(3, new double[] {0, 1, 2})));

        assertEquals("BCE_LOGITS targets: row 2 has 2.0; expected a label in [0, 1] (0/1 for hard labels)",
                e.getMessage());
    }

    @Test
    void givenValuesForMultiOutput_whenMse_thenErrorSuggestsMatrixTargets() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.of(LossKind.MSE).sum(Matrix.zeros(2, 2), Targets.ofValues(2, new double[] {0, 1})));

        assertTrue(e.getMessage().contains("pass Targets.ofMatrix"), e.getMessage());
    }

    @Test
    void givenWrongTargetCountOrShape_whenLoss_thenClearErrors() {
        Loss mse = Loss.of(LossKind.MSE);

        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> mse.sum(Matrix.zeros(3, 1), Targets.ofValues(2, new double[] {0, 1})));
        ShapeMismatchException shape = assertThrows(ShapeMismatchException.class,
                () -> mse.sum(Matrix.zeros(3, 2), Targets.ofMatrix(Matrix.zeros(3, 4))));

        assertEquals("MSE: 2 targets for 3 rows of output; pass one target per input row", count.getMessage());
        assertEquals("MSE loss: output=3x2, targets=3x4", shape.getMessage());
    }
}
