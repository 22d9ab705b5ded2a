package org.descent.math.optim;

/** {@code lr(t) = rate} for every step. */
public record ConstantSchedule(double rate) implements LearningRateSchedule {
    public ConstantSchedule {
        OptimizerSupport.requirePositive("rate", rate);
    }

    @Override
    public double rate(long step) {
        ScheduleSupport.checkStep(step);
        return rate;
    }
}
