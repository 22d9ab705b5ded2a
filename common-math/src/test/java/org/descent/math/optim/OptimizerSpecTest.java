package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OptimizerSpecTest {
    private static final LearningRateSchedule LR = new ConstantSchedule(0.01);

    @Test
    void givenEachKind_whenBuilt_thenRightTypeAndNameMatchesConfigName() {
        assertInstanceOf(Sgd.class, OptimizerSpec.defaults(OptimizerKind.SGD).build(LR));
        assertInstanceOf(MomentumSgd.class, OptimizerSpec.defaults(OptimizerKind.MOMENTUM).build(LR));
        assertInstanceOf(NesterovSgd.class, OptimizerSpec.defaults(OptimizerKind.NESTEROV).build(LR));
        assertInstanceOf(Adagrad.class, OptimizerSpec.defaults(OptimizerKind.ADAGRAD).build(LR));
        assertInstanceOf(RmsProp.class, OptimizerSpec.defaults(OptimizerKind.RMSPROP).build(LR));
        assertInstanceOf(Adam.class, OptimizerSpec.defaults(OptimizerKind.ADAM).build(LR));
        assertInstanceOf(AdamW.class, OptimizerSpec.defaults(OptimizerKind.ADAMW).build(LR));
        for (OptimizerKind k : OptimizerKind.values()) {
            assertEquals(k.configName(), OptimizerSpec.defaults(k).build(LR).name());
            assertEquals(k, OptimizerKind.parse(k.configName().toUpperCase()));
        }
    }

    @Test
    void givenDefaults_whenInspected_thenDocumentedValues() {
        Adam adam = (Adam) OptimizerSpec.defaults(OptimizerKind.ADAM).build(LR);
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        assertEquals(1e-8, adam.epsilon());
        AdamW adamw = (AdamW) OptimizerSpec.defaults(OptimizerKind.ADAMW).build(LR);
        assertEquals(0.01, adamw.weightDecay());
        assertFalse(adamw.decayBiases());
        assertEquals(1e-10, ((Adagrad) OptimizerSpec.defaults(OptimizerKind.ADAGRAD).build(LR)).epsilon());
        assertEquals(0.9, ((RmsProp) OptimizerSpec.defaults(OptimizerKind.RMSPROP).build(LR)).rho());
        MomentumSgd m = (MomentumSgd) OptimizerSpec.defaults(OptimizerKind.MOMENTUM).withMomentum(0.5).build(LR);
        assertEquals(0.5, m.momentum());
    }

    @Test
    void givenOutOfRangeFields_whenSpecBuilt_thenErrorNamesField() {
        OptimizerSpec adam = OptimizerSpec.defaults(OptimizerKind.ADAM);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adam.withBetas(1.0, 0.999))
                .getMessage().contains("beta1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adam.withEpsilon(0))
                .getMessage().contains("epsilon"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adam.withWeightDecay(-1))
                .getMessage().contains("weightDecay"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> adam.withMomentum(Double.NaN))
                .getMessage().contains("momentum"));
        assertThrows(IllegalArgumentException.class, () -> adam.build((LearningRateSchedule) null));
    }

    @Test
    void givenUnknownName_whenParsed_thenErrorListsValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptimizerKind.parse("adamax"));
        assertTrue(e.getMessage().contains("adamax") && e.getMessage().contains("adamw"), e.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> ScheduleKind.parse("linear"));
        assertTrue(s.getMessage().contains("inverse-sqrt"), s.getMessage());
        assertEquals(ScheduleKind.INVERSE_SQRT, ScheduleKind.parse("inverse-sqrt"));
    }

    @Test
    void givenScheduleSpecs_whenBuilt_thenEquivalentToDirectSchedules() {
        assertEquals(new ConstantSchedule(0.1), ScheduleSpec.constant(0.1).build());
        assertEquals(new StepDecaySchedule(0.1, 0.5, 10), ScheduleSpec.stepDecay(0.1, 0.5, 10).build());
        assertEquals(new ExponentialDecaySchedule(0.1, 0.5, 10), ScheduleSpec.exponential(0.1, 0.5, 10).build());
        assertEquals(new InverseSqrtSchedule(0.1, 4), ScheduleSpec.inverseSqrt(0.1, 4).build());
        assertEquals(new CosineSchedule(0.1, 0.01, 2, 10), ScheduleSpec.cosine(0.1, 0.01, 2, 10).build());
        Optimizer o = OptimizerSpec.defaults(OptimizerKind.SGD).build(ScheduleSpec.stepDecay(0.1, 0.5, 10));
        assertEquals(0.05, o.learningRate(10), 1e-15);
    }

    @Test
    void givenInvalidScheduleSpec_whenConstructed_thenErrorNamesField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.cosine(0.1, 0.01, 10, 10))
                .getMessage().contains("totalSteps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.stepDecay(0.1, 1.5, 10))
                .getMessage().contains("decayRate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.constant(-1))
                .getMessage().contains("rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ScheduleSpec.cosine(0.1, 0.2, 0, 10))
                .getMessage().contains("minRate"));
    }
}
