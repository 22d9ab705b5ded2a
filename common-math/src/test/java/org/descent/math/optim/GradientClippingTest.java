package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    private static double norm(double[] g) {
        double s = 0;
        for (double v : g) s += v * v;
        return Math.sqrt(s);
    }

    @Test
    void givenGradientOfNorm10_whenClippedToNorm1_thenNorm1SameDirectionAndPreNormReported() {
        Random r = new Random(3);
        double[] g = new double[50];
        for (int i = 0; i < g.length; i++) g[i] = r.nextGaussian();
        double n0 = norm(g);
        for (int i = 0; i < g.length; i++) g[i] *= 10 / n0;
        double[] original = g.clone();

        double pre = GradientClipping.byNorm(1.0).apply(g);

        assertEquals(10.0, pre, 1e-12);
        assertEquals(1.0, norm(g), 1e-12);
        for (int i = 0; i < g.length; i++) {
            assertEquals(original[i] / 10, g[i], 1e-15, "direction kept at " + i);
        }
    }

    @Test
    void givenHandVector_whenClippedByNorm_thenScaledExactly() {
        double[] g = {6, 8};
        assertEquals(10.0, GradientClipping.byNorm(5).apply(g), 1e-15);
        assertArrayEquals(new double[] {3, 4}, g, 1e-15);
    }

    @Test
    void givenGradientBelowLimit_whenClippedByNorm_thenUnchanged() {
        double[] g = {0.3, -0.4};
        assertEquals(0.5, GradientClipping.byNorm(1).apply(g), 1e-15);
        assertArrayEquals(new double[] {0.3, -0.4}, g, 0);
    }

    @Test
    void givenLargeEntries_whenClippedByValue_thenEveryElementBoundedAndPreNormReported() {
        double[] g = {5, -7, 0.5, -0.25, 2};
        double pre = GradientClipping.byValue(1).apply(g);
        assertEquals(Math.sqrt(25 + 49 + 0.25 + 0.0625 + 4), pre, 1e-12);
        assertArrayEquals(new double[] {1, -1, 0.5, -0.25, 1}, g, 0);
        for (double v : g) assertTrue(Math.abs(v) <= 1);
    }

    @Test
    void givenBothLimits_whenApplied_thenValueThenNorm() {
        double[] g = {10, 0, 0, 0};
        // value clip -> (2,0,0,0), norm 2 > 1 -> (1,0,0,0)
        double pre = new GradientClipping(1, 2).apply(g);
        assertEquals(10, pre, 0);
        assertArrayEquals(new double[] {1, 0, 0, 0}, g, 1e-15);
    }

    @Test
    void givenZeroGradient_whenClipped_thenStaysZero() {
        double[] g = new double[7];
        assertEquals(0, GradientClipping.byNorm(1).apply(g), 0);
        assertEquals(0, new GradientClipping(1, 1).apply(g), 0);
        assertArrayEquals(new double[7], g, 0);
    }

    @Test
    void givenNone_whenApplied_thenOnlyReportsNorm() {
        double[] g = {3, 4};
        assertTrue(GradientClipping.none().isNone());
        assertEquals(5, GradientClipping.none().apply(g), 1e-15);
        assertArrayEquals(new double[] {3, 4}, g, 0);
    }

    @Test
    void givenInvalidLimits_whenConstructed_thenIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.byNorm(0));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.byValue(Double.NaN));
    }

    @Test
    void givenNaNInGradient_whenClipped_thenNaNNormReportedAndGradientUntouched() {
        double[] g = {3, Double.NaN, 4};
        assertTrue(Double.isNaN(new GradientClipping(1, 1).apply(g)));
        assertEquals(3, g[0], 0);
        assertEquals(4, g[2], 0);
    }
}
