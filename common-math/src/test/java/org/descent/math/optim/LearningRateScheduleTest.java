package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Every schedule against values worked out by hand from its formula. */
class LearningRateScheduleTest {
    private static final double TOL = 1e-15;

    @Test
    void givenConstant_whenAnyStep_thenSameRate() {
        LearningRateSchedule s = new ConstantSchedule(0.1);
        assertEquals(0.1, s.rate(0), TOL);
        assertEquals(0.1, s.rate(1_000_000), TOL);
    }

    @Test
    void givenStepDecay_whenCrossingBoundaries_thenHalvesEvery100Steps() {
        // 0.1 * 0.5^floor(t/100)
        LearningRateSchedule s = new StepDecaySchedule(0.1, 0.5, 100);
        assertEquals(0.1, s.rate(0), TOL);
        assertEquals(0.1, s.rate(99), TOL);
        assertEquals(0.05, s.rate(100), TOL);
        assertEquals(0.025, s.rate(250), TOL);
    }

    @Test
    void givenExponentialDecay_whenStepping_thenSmoothPowerLaw() {
        // 0.1 * 0.5^(t/100): t=50 -> 0.1 * sqrt(0.5) = 0.0707106781186547524
        LearningRateSchedule s = new ExponentialDecaySchedule(0.1, 0.5, 100);
        assertEquals(0.1, s.rate(0), TOL);
        assertEquals(0.0707106781186547524, s.rate(50), TOL);
        assertEquals(0.05, s.rate(100), TOL);
        assertEquals(0.0125, s.rate(300), TOL);
    }

    @Test
    void givenInverseSqrtWithoutWarmup_whenStepping_thenBaseOverSqrtOfOneBasedStep() {
        LearningRateSchedule s = new InverseSqrtSchedule(1.0, 0);
        assertEquals(1.0, s.rate(0), TOL);   // 1/sqrt(1)
        assertEquals(0.5, s.rate(3), TOL);   // 1/sqrt(4)
        assertEquals(0.1, s.rate(99), TOL);  // 1/sqrt(100)
    }

    @Test
    void givenInverseSqrtWithWarmup_whenStepping_thenLinearRampThenDecay() {
        // base 0.1, w = 4, s = t + 1: 0.1 * min(s/4, sqrt(4/s))
        LearningRateSchedule s = new InverseSqrtSchedule(0.1, 4);
        assertEquals(0.025, s.rate(0), TOL);  // 0.1 * 1/4
        assertEquals(0.05, s.rate(1), TOL);   // 0.1 * 2/4
        assertEquals(0.1, s.rate(3), TOL);    // peak: 0.1 * 4/4
        assertEquals(0.05, s.rate(15), TOL);  // 0.1 * sqrt(4/16)
        assertEquals(0.02, s.rate(99), TOL);  // 0.1 * sqrt(4/100)
    }

    @Test
    void givenCosineWithWarmup_whenStepping_thenRampThenCosineToFloor() {
        // base 0.1, min 0.01, W = 2, T = 12
        LearningRateSchedule s = new CosineSchedule(0.1, 0.01, 2, 12);
        assertEquals(0.05, s.rate(0), TOL);   // 0.1 * 1/2
        assertEquals(0.1, s.rate(1), TOL);    // 0.1 * 2/2
        assertEquals(0.1, s.rate(2), TOL);    // p = 0: cos(0) = 1
        // p = 2/10: 0.01 + 0.09 * (1 + cos(0.2 pi))/2 = 0.01 + 0.09 * 1.80901699437494742/2
        assertEquals(0.0914057647468726339, s.rate(4), TOL);
        assertEquals(0.055, s.rate(7), TOL);  // p = 1/2: 0.01 + 0.09/2
        assertEquals(0.01, s.rate(12), TOL);  // floor at T
        assertEquals(0.01, s.rate(1000), TOL);
    }

    @Test
    void givenCosineWithoutWarmup_whenStepping_thenDecaysToZero() {
        LearningRateSchedule s = new CosineSchedule(1.0, 10);
        assertEquals(1.0, s.rate(0), TOL);
        assertEquals(0.5, s.rate(5), 1e-15);
        assertEquals(0.0, s.rate(10), TOL);
    }

    @Test
    void givenNegativeStep_whenRate_thenIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> new ConstantSchedule(0.1).rate(-1));
        assertThrows(IllegalArgumentException.class, () -> new StepDecaySchedule(0.1, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new InverseSqrtSchedule(0.1, -1));
    }
}
