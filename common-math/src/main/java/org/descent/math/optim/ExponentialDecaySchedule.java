package org.descent.math.optim;

/**
 * Smooth exponential decay,
 *
 * <pre>  lr(t) = baseRate * decayRate^(t / decaySteps)  </pre>
 *
 * (real-valued exponent; with {@code decaySteps = 1} it is {@code baseRate * decayRate^t}). The rate
 * is multiplied by {@code decayRate} every {@code decaySteps} steps, continuously in between.
 */
public record ExponentialDecaySchedule(double baseRate, double decayRate, long decaySteps)
        implements LearningRateSchedule {
    public ExponentialDecaySchedule {
        OptimizerSupport.requirePositive("baseRate", baseRate);
        OptimizerSupport.requireRange("decayRate", decayRate, 0, false, 1, true);
        ScheduleSupport.requireSteps("decaySteps", decaySteps, 1);
    }

    @Override
    public double rate(long step) {
        ScheduleSupport.checkStep(step);
        return baseRate * Math.pow(decayRate, step / (double) decaySteps);
    }
}
