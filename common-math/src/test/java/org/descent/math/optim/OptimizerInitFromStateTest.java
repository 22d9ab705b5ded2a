package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code init(layout, bytes)} and {@code init(layout, source)} (issue 12): the optimizer {@code init(layout);
 * restoreState(...)} gives, bit for bit, without the zero arrays the restore replaces; foreign state is refused
 * with the restore's messages, and the source is left as it was.
 */
class OptimizerInitFromStateTest {
    private static final ParameterLayout LAYOUT = new ParameterLayout(List.of(
            new LayerSpec(4, 3, ActivationKind.TANH), new LayerSpec(3, 2, ActivationKind.IDENTITY)));
    private static final ParameterLayout OTHER_LAYOUT =
            new ParameterLayout(List.of(new LayerSpec(2, 2, ActivationKind.IDENTITY)));
    private static final LearningRateSchedule SCHEDULE = new CosineSchedule(0.05, 0.001, 3, 40);

    /** An optimizer of {@code kind} after 5 seeded steps, and its parameters. */
    private static Optimizer stepped(OptimizerSpec spec, double[] w) {
        Optimizer o = spec.build(SCHEDULE);
        o.init(LAYOUT);
        Random r = new Random(3);
        double[] g = new double[w.length];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        for (int t = 0; t < 5; t++) {
            for (int i = 0; i < w.length; i++) g[i] = 2 * (w[i] - 1) + 0.1 * r.nextGaussian();
            o.step(w, g, t);
        }
        return o;
    }

    /** Runs 4 more seeded steps from {@code w} with {@code o}; returns the parameters' raw bits. */
    private static long[] continueFrom(Optimizer o, double[] w) {
        double[] p = w.clone();
        double[] g = new double[p.length];
        Random r = new Random(9);
        for (int t = 5; t < 9; t++) {
            for (int i = 0; i < p.length; i++) g[i] = 2 * (p[i] - 1) + 0.1 * r.nextGaussian();
            o.step(p, g, t);
        }
        long[] bits = new long[p.length];
        for (int i = 0; i < p.length; i++) bits[i] = Double.doubleToRawLongBits(p[i]);
        return bits;
    }

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void givenASteppedOptimizer_whenInitFromItsBytesOrItself_thenTheSameOptimizerAsInitAndRestore(OptimizerKind kind) {
        OptimizerSpec spec = OptimizerSpec.defaults(kind).withWeightDecay(0.05);
        double[] w = new double[LAYOUT.size()];
        Optimizer source = stepped(spec, w);
        byte[] saved = source.saveState();

        Optimizer restored = spec.build(SCHEDULE);
        restored.init(LAYOUT);
        restored.restoreState(saved);
        Optimizer fromBytes = spec.build(SCHEDULE);
        fromBytes.init(LAYOUT, saved);
        Optimizer fromSource = spec.build(SCHEDULE);
        fromSource.init(LAYOUT, source);

        assertArrayEquals(saved, fromBytes.saveState(), kind + ": from bytes");
        assertArrayEquals(saved, fromSource.saveState(), kind + ": from the source");
        for (int k = 0; k < source.stateArrays().length; k++) {
            assertNotSame(source.stateArrays()[k], fromSource.stateArrays()[k], kind + ": a copy, not the source's");
        }
        long[] expected = continueFrom(restored, w);
        assertArrayEquals(expected, continueFrom(fromBytes, w), kind + ": continues as init + restore");
        assertArrayEquals(expected, continueFrom(fromSource, w), kind + ": continues as init + restore");
        assertArrayEquals(saved, source.saveState(), kind + ": the source is only read");
    }

    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void givenADetachedCopy_whenRestoringFromIt_thenTheSameOptimizerAsRestoringItsBytes(OptimizerKind kind) {
        OptimizerSpec spec = OptimizerSpec.defaults(kind).withWeightDecay(0.05);
        double[] w = new double[LAYOUT.size()];
        Optimizer source = stepped(spec, w);
        byte[] saved = source.saveState();
        Optimizer copy = spec.build(SCHEDULE);
        copy.init(LAYOUT, source);

        Optimizer restored = spec.build(SCHEDULE);
        restored.init(LAYOUT);
        restored.restoreState(saved);
        Optimizer fromCopy = spec.build(SCHEDULE);
        fromCopy.init(LAYOUT); // the driver's optimizer, at another state before the epoch end arrives
        fromCopy.restoreFrom(copy);

        assertArrayEquals(saved, fromCopy.saveState(), kind + ": from the copy");
        assertArrayEquals(continueFrom(restored, w), continueFrom(fromCopy, w), kind + ": continues as a restore");
        OptimizerKind other = kind == OptimizerKind.ADAM ? OptimizerKind.ADAGRAD : OptimizerKind.ADAM;
        Optimizer foreign = OptimizerSpec.defaults(other).build(SCHEDULE);
        foreign.init(LAYOUT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> foreign.restoreFrom(copy));
        assertTrue(e.getMessage().contains("cannot be restored into"), kind + ": refused as a restore: " + e.getMessage());
    }

    @Test
    void givenAnotherConfigurationOrModelSize_whenInitFromIt_thenRefusedWithTheRestoreMessage() {
        double[] w = new double[LAYOUT.size()];
        Optimizer source = stepped(OptimizerSpec.defaults(OptimizerKind.ADAM), w);
        Optimizer otherRule = OptimizerSpec.defaults(OptimizerKind.ADAGRAD).build(SCHEDULE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> otherRule.init(LAYOUT, source));
        assertTrue(e.getMessage().contains("cannot be restored into"), e.getMessage());

        Optimizer otherSize = OptimizerSpec.defaults(OptimizerKind.ADAM).build(SCHEDULE);
        e = assertThrows(IllegalArgumentException.class, () -> otherSize.init(OTHER_LAYOUT, source));
        assertTrue(e.getMessage().contains("parameters"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> otherSize.init(OTHER_LAYOUT, source.saveState()));
        assertTrue(e.getMessage().contains("parameters"), e.getMessage());
    }

    @Test
    void givenAnInitialisedOptimizer_whenInitFromRefusedBytes_thenItIsLeftAsItWas() {
        double[] w = new double[LAYOUT.size()];
        Optimizer o = stepped(OptimizerSpec.defaults(OptimizerKind.ADAGRAD), w);
        byte[] before = o.saveState();
        byte[] truncated = java.util.Arrays.copyOf(before, before.length - 8);
        assertThrows(IllegalArgumentException.class, () -> o.init(LAYOUT, truncated));
        assertArrayEquals(before, o.saveState());
        assertEquals(o.stateArrays()[0].length, LAYOUT.size());
    }
}
