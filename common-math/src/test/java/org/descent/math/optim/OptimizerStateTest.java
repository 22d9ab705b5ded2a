package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.descent.math.ShapeMismatchException;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** saveState/restoreState: bit-identical continuation and clear refusal of foreign state. */
class OptimizerStateTest {
    private static final ParameterLayout LAYOUT = new ParameterLayout(List.of(
            new LayerSpec(4, 3, ActivationKind.TANH), new LayerSpec(3, 2, ActivationKind.IDENTITY)));
    private static final ParameterLayout OTHER_LAYOUT =
            new ParameterLayout(List.of(new LayerSpec(2, 2, ActivationKind.IDENTITY)));
    private static final LearningRateSchedule SCHEDULE = new CosineSchedule(0.05, 0.001, 3, 40);

    /** A noisy quadratic gradient 2(w - 1) + noise that depends on the current parameters. */
    private static void gradient(double[] w, double[] g, Random noise) {
        for (int i = 0; i < w.length; i++) {
            g[i] = 2 * (w[i] - 1) + 0.1 * noise.nextGaussian();
        }
    }

    private static double[] initialParams() {
        Random r = new Random(11);
        double[] w = new double[LAYOUT.size()];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return w;
    }

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void givenMidRunSnapshot_whenRestoredIntoFreshOptimizer_thenContinuesBitForBit(OptimizerKind kind) {
        OptimizerSpec spec = OptimizerSpec.defaults(kind).withWeightDecay(0.05);
        int before = 6;
        int after = 9;

        // uninterrupted run
        Optimizer a = spec.build(SCHEDULE);
        a.init(LAYOUT);
        double[] wa = initialParams();
        double[] g = new double[wa.length];
        Random noiseA = new Random(5);
        for (int t = 0; t < before + after; t++) {
            gradient(wa, g, noiseA);
            a.step(wa, g, t);
        }

        // interrupted run: save after `before` steps, restore into a fresh optimizer, continue
        Optimizer b = spec.build(SCHEDULE);
        b.init(LAYOUT);
        double[] wb = initialParams();
        Random noiseB = new Random(5);
        for (int t = 0; t < before; t++) {
            gradient(wb, g, noiseB);
            b.step(wb, g, t);
        }
        byte[] state = b.saveState();
        Optimizer c = spec.build(SCHEDULE);
        c.init(LAYOUT);
        c.restoreState(state);
        assertArrayEquals(state, c.saveState(), "restored state re-serialises identically");
        for (int t = before; t < before + after; t++) {
            gradient(wb, g, noiseB);
            c.step(wb, g, t);
        }

        for (int i = 0; i < wa.length; i++) {
            assertEquals(Double.doubleToRawLongBits(wa[i]), Double.doubleToRawLongBits(wb[i]),
                    kind + ": parameter " + i + " differs: " + wa[i] + " vs " + wb[i]);
        }
        assertEquals(kind.configName(), c.name());
    }

    @Test
    void givenAdamState_whenRestoringIntoMomentum_thenClearError() {
        Optimizer adam = new Adam(SCHEDULE);
        adam.init(LAYOUT);
        Optimizer momentum = new MomentumSgd(SCHEDULE);
        momentum.init(LAYOUT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> momentum.restoreState(adam.saveState()));
        assertTrue(e.getMessage().contains("'adam'") && e.getMessage().contains("'momentum'"), e.getMessage());
    }

    @Test
    void givenStateOfOtherModelSize_whenRestoring_thenClearErrorNamingSizes() {
        Optimizer small = new Adam(SCHEDULE);
        small.init(OTHER_LAYOUT);
        Optimizer big = new Adam(SCHEDULE);
        big.init(LAYOUT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> big.restoreState(small.saveState()));
        assertTrue(e.getMessage().contains(String.valueOf(OTHER_LAYOUT.size()))
                && e.getMessage().contains(String.valueOf(LAYOUT.size())), e.getMessage());
    }

    @Test
    void givenStateWithOtherHyperParameters_whenRestoring_thenClearErrorNamingField() {
        Optimizer a = new RmsProp(SCHEDULE, 0.9, 1e-8);
        a.init(LAYOUT);
        Optimizer b = new RmsProp(SCHEDULE, 0.95, 1e-8);
        b.init(LAYOUT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.restoreState(a.saveState()));
        assertTrue(e.getMessage().contains("rho"), e.getMessage());
    }

    @Test
    void givenGarbageOrTruncatedBytes_whenRestoring_thenIllegalArgumentAndStateUntouched() {
        Optimizer adam = new Adam(SCHEDULE);
        adam.init(LAYOUT);
        double[] w = initialParams();
        adam.step(w, w.clone(), 0);
        byte[] good = adam.saveState();
        assertThrows(IllegalArgumentException.class, () -> adam.restoreState(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertThrows(IllegalArgumentException.class, () -> adam.restoreState(Arrays.copyOf(good, good.length - 3)));
        assertThrows(IllegalArgumentException.class, () -> adam.restoreState(Arrays.copyOf(good, good.length + 1)));
        assertThrows(IllegalArgumentException.class, () -> adam.restoreState(null));
        assertArrayEquals(good, adam.saveState(), "failed restores leave the state as it was");
    }

    @Test
    void givenUninitialisedOptimizer_whenStepOrRestore_thenIllegalState() {
        Optimizer sgd = new Sgd(SCHEDULE);
        assertThrows(IllegalStateException.class, () -> sgd.step(new double[1], new double[1], 0));
        assertThrows(IllegalStateException.class, () -> sgd.restoreState(new byte[0]));
    }

    @Test
    void givenWrongBufferLength_whenStepping_thenShapeMismatchNamingBoth() {
        Optimizer adam = new Adam(SCHEDULE);
        adam.init(LAYOUT);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> adam.step(new double[LAYOUT.size()], new double[3], 0));
        assertTrue(e.getMessage().contains("grad=3x1"), e.getMessage());
    }
}
