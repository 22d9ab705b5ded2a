package org.descent.math.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.junit.jupiter.api.Test;

/** The checker itself: passes true gradients, pinpoints a wrong entry, restores its input. */
class GradientCheckerTest {
    private static final ToDoubleFunction<double[]> CUBES = w -> {
        double s = 0;
        for (double v : w) {
            s += v * v * v;
        }
        return s;
    };

    private static double[] cubeGrad(double[] w) {
        double[] g = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            g[i] = 3 * w[i] * w[i];
        }
        return g;
    }

    @Test
    void givenTrueGradient_whenChecked_thenTinyErrorAndParamsRestored() {
        double[] w = {0.5, -1.5, 2.0, 0.1};
        double[] before = w.clone();

        GradientChecker.Result r = GradientChecker.check(CUBES, w, cubeGrad(w), 1e-5);

        assertTrue(r.worstRelativeError() < 1e-7, r::toString); // O(h^2) truncation only
        assertArrayEquals(before, w, 0.0);
    }

    @Test
    void givenOneWrongEntry_whenChecked_thenReportsThatIndex() {
        double[] w = {0.5, -1.5, 2.0, 0.1};
        double[] g = cubeGrad(w);
        g[2] *= 1.01;

        GradientChecker.Result r = GradientChecker.check(CUBES, w, g, 1e-5);

        assertEquals(2, r.worstIndex());
        assertEquals(0.01 / 1.01, r.worstRelativeError(), 1e-6);
        assertEquals(12.0, r.numeric(), 1e-6);
        assertEquals(12.12, r.analytic(), 1e-12);
    }

    @Test
    void givenNaNGradient_whenChecked_thenNaNIsWorst() {
        double[] w = {1, 2};
        double[] g = cubeGrad(w);
        g[0] = Double.NaN;
        g[1] += 1;

        GradientChecker.Result r = GradientChecker.check(CUBES, w, g, 1e-5);

        assertEquals(0, r.worstIndex());
        assertTrue(Double.isNaN(r.worstRelativeError()));
    }

    @Test
    void givenLayout_whenPerSegment_thenWorstErrorPerWeightAndBias() {
        ParameterLayout layout = new ParameterLayout(List.of(
                new LayerSpec(2, 3, ActivationKind.TANH), new LayerSpec(3, 1, ActivationKind.IDENTITY)));
        double[] w = new double[layout.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.1 * (i + 1);
        }
        double[] g = cubeGrad(w);
        g[layout.biasOffset(1)] *= 2; // break layer1.b only

        List<GradientChecker.SegmentResult> res = GradientChecker.checkPerSegment(CUBES, w, g, 1e-5, layout);

        assertEquals(List.of("layer0.W", "layer0.b", "layer1.W", "layer1.b"),
                res.stream().map(r -> r.segment().name()).toList());
        assertTrue(res.get(0).worstRelativeError() < 1e-7);
        assertTrue(res.get(2).worstRelativeError() < 1e-7);
        assertEquals(0.5, res.get(3).worstRelativeError(), 1e-6);
        assertEquals(layout.biasOffset(1), res.get(3).worstIndex());
        assertEquals(6, res.get(0).checked());
        assertEquals(layout.biasOffset(1), GradientChecker.worst(res).worstIndex());
    }

    @Test
    void givenSampleLimit_whenSampled_thenAtMostNPerSegmentReproducibly() {
        ParameterLayout layout = new ParameterLayout(List.of(new LayerSpec(30, 20, ActivationKind.RELU)));
        double[] w = new double[layout.size()];
        java.util.Arrays.fill(w, 0.3);
        int[] calls = {0};
        ToDoubleFunction<double[]> f = p -> {
            calls[0]++;
            return CUBES.applyAsDouble(p);
        };

        List<GradientChecker.SegmentResult> a = GradientChecker.checkPerSegmentSampled(f, w, cubeGrad(w), 1e-5,
                layout, 5, 42);
        List<GradientChecker.SegmentResult> b = GradientChecker.checkPerSegmentSampled(f, w, cubeGrad(w), 1e-5,
                layout, 5, 42);

        assertEquals(5, a.get(0).checked());
        assertEquals(5, a.get(1).checked());
        assertEquals(2 * 2 * 10, calls[0]);
        assertEquals(a, b);
    }

    @Test
    void givenBadArguments_whenChecked_thenClearErrors() {
        IllegalArgumentException len = assertThrows(IllegalArgumentException.class,
                () -> GradientChecker.check(CUBES, new double[2], new double[3], 1e-5));
        IllegalArgumentException step = assertThrows(IllegalArgumentException.class,
                () -> GradientChecker.check(CUBES, new double[2], new double[2], 0));

        assertEquals("gradient check: 2 parameters but 3 gradient entries", len.getMessage());
        assertTrue(step.getMessage().contains("step h must be positive"));
        assertEquals(-1, GradientChecker.check(CUBES, new double[0], new double[0], 1e-5).worstIndex());
    }
}
