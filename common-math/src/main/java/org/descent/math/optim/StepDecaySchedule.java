package org.descent.math.optim;

/**
 * Step decay: the rate drops by a factor {@code decayRate} every {@code decaySteps} steps,
 *
 * <pre>  lr(t) = baseRate * decayRate^floor(t / decaySteps)  </pre>
 *
 * e.g. base 0.1, decayRate 0.5, decaySteps 100: 0.1 for t in [0, 100), 0.05 for [100, 200), ...
 */
public record StepDecaySchedule(double baseRate, double decayRate, long decaySteps) implements LearningRateSchedule {
    public StepDecaySchedule {
        OptimizerSupport.requirePositive("baseRate", baseRate);
        OptimizerSupport.requireRange("decayRate", decayRate, 0, false, 1, true);
        ScheduleSupport.requireSteps("decaySteps", decaySteps, 1);
    }

    @Override
    public double rate(long step) {
        ScheduleSupport.checkStep(step);
        return baseRate * Math.pow(decayRate, (double) (step / decaySteps));
    }
}
