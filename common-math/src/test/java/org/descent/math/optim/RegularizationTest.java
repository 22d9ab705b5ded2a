package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.descent.math.ShapeMismatchException;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.junit.jupiter.api.Test;

class RegularizationTest {
    private static final ParameterLayout LAYOUT = new ParameterLayout(List.of(
            new LayerSpec(3, 2, ActivationKind.RELU), new LayerSpec(2, 1, ActivationKind.IDENTITY)));

    /** Parameters with |w| >= 0.1 so the L1 term is differentiable within the finite-difference step. */
    private static double[] params(long seed) {
        Random r = new Random(seed);
        double[] w = new double[LAYOUT.size()];
        for (int i = 0; i < w.length; i++) {
            double v = 0.1 + r.nextDouble();
            w[i] = r.nextBoolean() ? v : -v;
        }
        return w;
    }

    private static double penalty(Regularization reg, double[] w) {
        return reg.addPenaltyGradient(w, new double[w.length], LAYOUT);
    }

    /** Central differences (R(w + h e_i) - R(w - h e_i)) / 2h, h = 1e-6. */
    private static void assertGradientMatchesCentralDifferences(Regularization reg, double[] w) {
        double[] analytic = new double[w.length];
        reg.addPenaltyGradient(w, analytic, LAYOUT);
        double h = 1e-6;
        for (int i = 0; i < w.length; i++) {
            double[] plus = w.clone();
            double[] minus = w.clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = (penalty(reg, plus) - penalty(reg, minus)) / (2 * h);
            assertEquals(numeric, analytic[i], 1e-7 * Math.max(1, Math.abs(numeric)), "dR/dw_" + i);
        }
    }

    @Test
    void givenL1AndL2_whenGradientChecked_thenMatchesCentralDifferences() {
        assertGradientMatchesCentralDifferences(new Regularization(0.03, 0.2), params(1));
        assertGradientMatchesCentralDifferences(new Regularization(0.03, 0.2, true), params(2));
        assertGradientMatchesCentralDifferences(Regularization.l2(1.5), params(3));
        assertGradientMatchesCentralDifferences(Regularization.l1(0.7), params(4));
    }

    @Test
    void givenHandValues_whenL2_thenHalfConventionValueAndLambdaWGradient() {
        // weights of layer 0 hold (3, -4, 0, 0, 0, 0); everything else 0. l2 = 0.1:
        // R = 0.1/2 * (9 + 16) = 1.25; grad = (0.3, -0.4, 0, ...)
        double[] w = new double[LAYOUT.size()];
        w[0] = 3;
        w[1] = -4;
        double[] g = new double[w.length];
        g[0] = 1; // accumulates into the existing data gradient
        assertEquals(1.25, Regularization.l2(0.1).addPenaltyGradient(w, g, LAYOUT), 1e-15);
        assertEquals(1.3, g[0], 1e-15);
        assertEquals(-0.4, g[1], 1e-15);
    }

    @Test
    void givenDefaultRegularization_whenApplied_thenBiasesExempt() {
        double[] w = params(5);
        double[] g = new double[w.length];
        Regularization reg = new Regularization(0.1, 0.1);
        double value = reg.addPenaltyGradient(w, g, LAYOUT);
        double expected = 0;
        boolean[] bias = LAYOUT.biasMask();
        for (int i = 0; i < w.length; i++) {
            if (bias[i]) {
                assertEquals(0, g[i], 0, "bias " + i + " must not be penalised");
            } else {
                expected += 0.1 * Math.abs(w[i]) + 0.05 * w[i] * w[i];
                assertEquals(0.1 * Math.signum(w[i]) + 0.1 * w[i], g[i], 1e-15);
            }
        }
        assertEquals(expected, value, 1e-12);
        double withBiases = new Regularization(0.1, 0.1, true).addPenaltyGradient(w, new double[w.length], LAYOUT);
        assertEquals(true, withBiases > value);
    }

    @Test
    void givenL1_whenWeightsZeroNegativePositive_thenSubgradientSignWithSignOfZeroZero() {
        double[] w = new double[LAYOUT.size()];
        w[0] = 0;
        w[1] = -2;
        w[2] = 0.5;
        double[] g = new double[w.length];
        double value = Regularization.l1(0.3).addPenaltyGradient(w, g, LAYOUT);
        assertEquals(0, g[0], 0);
        assertEquals(-0.3, g[1], 0);
        assertEquals(0.3, g[2], 0);
        assertEquals(0.3 * 2.5, value, 1e-15);
    }

    @Test
    void givenNone_whenApplied_thenGradientUntouchedAndZeroPenalty() {
        double[] w = params(6);
        double[] g = params(7);
        double[] before = g.clone();
        assertEquals(0, Regularization.none().addPenaltyGradient(w, g, LAYOUT), 0);
        assertArrayEquals(before, g, 0);
    }

    @Test
    void givenWrongLength_whenApplied_thenShapeMismatch() {
        assertThrows(ShapeMismatchException.class,
                () -> Regularization.l2(0.1).addPenaltyGradient(new double[3], new double[3], LAYOUT));
        assertThrows(IllegalArgumentException.class, () -> new Regularization(-1, 0));
    }
}
