package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * stepRange (the sharded update): three workers each stepping their own range of a copy must end, after every step,
 * with exactly the bits of one whole-array step, parameters and state alike.
 */
class OptimizerRangeStepTest {
    private static final ParameterLayout LAYOUT = new ParameterLayout(List.of(
            new LayerSpec(5, 4, ActivationKind.TANH), new LayerSpec(4, 3, ActivationKind.IDENTITY)));
    private static final LearningRateSchedule SCHEDULE = new CosineSchedule(0.05, 0.001, 3, 40);

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void givenThreeRangeOwners_whenEachStepsItsRange_thenTheAssembledStateEqualsAWholeStepBitForBit(OptimizerKind kind) {
        OptimizerSpec spec = OptimizerSpec.defaults(kind).withWeightDecay(0.05);
        int n = LAYOUT.size();
        int[] bounds = {0, n / 3, 2 * n / 3, n};
        Optimizer whole = spec.build(SCHEDULE);
        whole.init(LAYOUT);
        Optimizer[] part = new Optimizer[3];
        double[][] wp = new double[3][];
        Random r = new Random(3);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = r.nextGaussian();
        for (int k = 0; k < 3; k++) {
            part[k] = spec.build(SCHEDULE);
            part[k].init(LAYOUT);
            wp[k] = w.clone();
        }
        double[] g = new double[n];
        for (int t = 0; t < 12; t++) {
            for (int i = 0; i < n; i++) g[i] = 2 * (w[i] - 1) + 0.1 * r.nextGaussian();
            whole.step(w, g, t);
            for (int k = 0; k < 3; k++) part[k].stepRange(wp[k], g, t, bounds[k], bounds[k + 1]);
            double[] assembled = new double[n];
            for (int k = 0; k < 3; k++) {
                System.arraycopy(wp[k], bounds[k], assembled, bounds[k], bounds[k + 1] - bounds[k]);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(Double.doubleToRawLongBits(w[i]), Double.doubleToRawLongBits(assembled[i]),
                        kind + " step " + t + " param " + i);
            }
            for (int k = 0; k < 3; k++) wp[k] = assembled.clone(); // the all-gather
        }
        double[][] ws = whole.stateArrays();
        for (int a = 0; a < ws.length; a++) {
            double[] assembled = new double[n];
            for (int k = 0; k < 3; k++) {
                System.arraycopy(part[k].stateArrays()[a], bounds[k], assembled, bounds[k], bounds[k + 1] - bounds[k]);
            }
            assertArrayEquals(ws[a], assembled, 0.0, kind + " state array " + a);
        }
        assertThrows(IllegalArgumentException.class, () -> whole.stepRange(w, g, 12, 2, n + 1));
    }

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void givenSums_whenSteppingARangeScaled_thenParamsStateAndSquareSumEqualTheSeparatePassesBitForBit(
            OptimizerKind kind) {
        int n = LAYOUT.size();
        int from = 3;
        int to = n - 4;
        Random r = new Random(7);
        double[] w0 = new double[n];
        for (int i = 0; i < n; i++) w0[i] = r.nextGaussian();
        Optimizer fused = OptimizerSpec.defaults(kind).build(SCHEDULE);
        Optimizer separate = OptimizerSpec.defaults(kind).build(SCHEDULE);
        fused.init(LAYOUT);
        separate.init(LAYOUT);
        double[] a = w0.clone();
        double[] b = w0.clone();
        double[] sums = new double[n + 2]; // a step vector: the gradient sums, then loss and rows
        double[] scratch = new double[n];
        double[] grad = new double[n];
        double inv = 1.0 / 37;
        for (int t = 0; t < 6; t++) {
            for (int i = 0; i < sums.length; i++) sums[i] = 37 * (2 * (w0[i % n] - 1) + 0.3 * r.nextGaussian());
            double got = fused.stepRangeScaled(a, sums, inv, scratch, t, from, to);
            double want = 0;
            for (int i = from; i < to; i++) {
                grad[i] = sums[i] * inv;
                want += grad[i] * grad[i];
            }
            separate.stepRange(b, grad, t, from, to);
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got), kind + " ss, step " + t);
            for (int i = 0; i < n; i++) {
                assertEquals(Double.doubleToRawLongBits(b[i]), Double.doubleToRawLongBits(a[i]),
                        kind + " step " + t + " param " + i);
            }
        }
        assertArrayEquals(separate.saveState(), fused.saveState(), kind + ": saved state incl. the step count");
        assertThrows(IllegalArgumentException.class,
                () -> fused.stepRangeScaled(a, new double[to - 1], inv, scratch, 6, from, to));
    }

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void givenASkippedStep_whenSteppingOn_thenOnlyTheStepCountMovedAndTheNextStepMatchesOneThatCountedIt(
            OptimizerKind kind) {
        int n = LAYOUT.size();
        Random r = new Random(5);
        double[] g = new double[n];
        double[] w0 = new double[n];
        for (int i = 0; i < n; i++) {
            w0[i] = r.nextGaussian();
            g[i] = r.nextGaussian();
        }
        Optimizer skipping = OptimizerSpec.defaults(kind).build(SCHEDULE);
        Optimizer stepping = OptimizerSpec.defaults(kind).build(SCHEDULE);
        skipping.init(LAYOUT);
        stepping.init(LAYOUT);
        double[] a = w0.clone();
        double[] b = w0.clone();
        skipping.step(a, g, 0);
        stepping.step(b, g, 0);
        byte[] before = skipping.saveState();
        double[] kept = a.clone();
        skipping.skipStep(1);
        assertArrayEquals(kept, a, 0.0, kind + ": a skipped step changes no parameter");
        double[][] s = skipping.stateArrays();
        Optimizer restored = OptimizerSpec.defaults(kind).build(SCHEDULE);
        restored.init(LAYOUT);
        restored.restoreState(before);
        for (int k = 0; k < s.length; k++) assertArrayEquals(restored.stateArrays()[k], s[k], 0.0, kind + " state");
        // the reference counts step 1 with an update over no entries; step 2 must then give the same bits
        stepping.stepRange(b, g, 1, 0, 0);
        skipping.step(a, g, 2);
        stepping.step(b, g, 2);
        assertArrayEquals(b, a, 0.0, kind + ": step 2 after a skipped step 1");
        assertArrayEquals(stepping.saveState(), skipping.saveState(), kind + ": saved state incl. the step count");
        assertThrows(IllegalArgumentException.class, () -> skipping.skipStep(-1));
    }
}
