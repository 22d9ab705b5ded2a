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

/** Every activation's backward pass against central differences of {@code f(z) = Σ act(z) ⊙ R}. */
class ActivationGradientTest {
    private static final int ROWS = 5;
    private static final int COLS = 4;

    /** {@code Σ_ij a_ij b_ij}. */
    private static double dot(Matrix a, Matrix b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += a.data()[i] * b.data()[i];
        return s;
    }

    /** Checks the analytic input gradient of {@code Σ act(z) ⊙ r} at {@code z}; returns the worst error. */
    private static GradientChecker.Result check(Activation act, Matrix z, Matrix r) {
        Matrix a = act.forward(z);
        Matrix analytic = act.backward(a, r);
        double[] point = z.copy().data();
        return GradientChecker.check(p -> dot(act.forward(Matrix.wrap(ROWS, COLS, p)), r),
                point, analytic.data(), 1e-5);
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void givenSeededNormalInputs_whenBackward_thenMatchesCentralDifferences(ActivationKind kind) {
        SplittableRandom rng = new SplittableRandom(100 + kind.ordinal());
        Activation act = Activation.of(kind, 0.2);
        Matrix z = Matrix.normal(ROWS, COLS, 0, 2, rng);
        Matrix r = Matrix.normal(ROWS, COLS, 0, 1, rng);

        GradientChecker.Result res = check(act, z, r);

        assertTrue(res.worstRelativeError() < 1e-6, res::toString);
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void givenExtremeInputsAround50_whenForwardAndBackward_thenFiniteAndGradientMatches(ActivationKind kind) {
        SplittableRandom rng = new SplittableRandom(200 + kind.ordinal());
        Activation act = Activation.of(kind, 0.2);
        Matrix z = Matrix.zeros(ROWS, COLS);
        for (int i = 0; i < z.size(); i++) {
            z.data()[i] = (rng.nextBoolean() ? 50 : -50) + rng.nextGaussian();
        }
        Matrix r = Matrix.normal(ROWS, COLS, 0, 1, rng);

        Matrix a = act.forward(z);
        Matrix g = act.backward(a, r);
        GradientChecker.Result res = check(act, z, r);

        for (int i = 0; i < z.size(); i++) {
            assertTrue(Double.isFinite(a.data()[i]) && Double.isFinite(g.data()[i]), "entry " + i);
        }
        assertTrue(res.worstRelativeError() < 1e-6, res::toString);
    }

    @Test
    void givenLogitsOfPlusMinus1000_whenSoftmax_thenFiniteRowsSummingToOne() {
        Activation softmax = Activation.of(ActivationKind.SOFTMAX);
        Matrix z = Matrix.fromRows(new double[][] {{1000, -1000, 999}, {-1000, -1000, -1000}, {1000, 1000, -1000}});

        Matrix p = softmax.forward(z);
        Matrix g = softmax.backward(p, Matrix.fromRows(new double[][] {{1, 2, 3}, {1, 0, 0}, {0, 1, 0}}));

        for (int i = 0; i < 3; i++) {
            assertEquals(1.0, p.get(i, 0) + p.get(i, 1) + p.get(i, 2), 1e-15);
        }
        assertEquals(1 / (1 + Math.exp(-1)), p.get(0, 0), 1e-15);
        assertEquals(0.0, p.get(0, 1));
        assertEquals(1.0 / 3, p.get(1, 2), 1e-15);
        assertEquals(0.5, p.get(2, 1), 1e-15);
        for (double v : g.data()) {
            assertTrue(Double.isFinite(v));
        }
    }

    @Test
    void givenHugeLogits_whenSigmoid_thenNoOverflowAndExactLimits() {
        Matrix z = Matrix.rowVector(-1000, -50, 0, 50, 1000);

        Matrix a = Activation.of(ActivationKind.SIGMOID).forward(z);

        assertEquals(0.0, a.get(0, 0));
        assertEquals(Math.exp(-50), a.get(0, 1), 1e-30);
        assertEquals(0.5, a.get(0, 2));
        assertEquals(1.0, a.get(0, 4));
    }

    @Test
    void givenKnownInputs_whenForward_thenHandComputedValues() {
        Matrix z = Matrix.rowVector(-2, 0.5);

        assertEquals(-0.2 * 2, Activation.of(ActivationKind.LEAKY_RELU, 0.2).forward(z).get(0, 0), 1e-15);
        assertEquals(0.0, Activation.of(ActivationKind.RELU).forward(z).get(0, 0));
        assertEquals(0.5, Activation.of(ActivationKind.RELU).forward(z).get(0, 1));
        assertEquals(Math.tanh(-2), Activation.of(ActivationKind.TANH).forward(z).get(0, 0), 1e-15);
        assertEquals(-2, Activation.of(ActivationKind.IDENTITY).forward(z).get(0, 0));
        assertEquals(ActivationKind.LEAKY_RELU, Activation.of(ActivationKind.LEAKY_RELU, 0.2).kind());
    }

    @Test
    void givenMismatchedUpstream_whenBackward_thenShapeMismatchNamesBothShapes() {
        Activation tanh = Activation.of(ActivationKind.TANH);

        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> tanh.backward(Matrix.zeros(2, 3), Matrix.zeros(3, 2)));

        assertEquals("activation backward: a=2x3, upstream=3x2", e.getMessage());
    }
}
