package org.descent.math.optim;

/**
 * Inverse square-root decay with optional linear warm-up (Vaswani et al. 2017, "Attention Is All You
 * Need", eq. 3, normalised so the peak equals {@code baseRate}). With {@code w = warmupSteps} and the
 * 1-based step {@code s = t + 1}:
 *
 * <pre>
 *   w  = 0:  lr(t) = baseRate / sqrt(s)
 *   w >= 1:  lr(t) = baseRate * min( s / w, sqrt(w / s) )
 * </pre>
 *
 * so with warm-up the rate climbs linearly to {@code baseRate} at {@code t = w - 1} and then decays as
 * {@code 1/sqrt(s)}.
 */
public record InverseSqrtSchedule(double baseRate, long warmupSteps) implements LearningRateSchedule {
    public InverseSqrtSchedule {
        OptimizerSupport.requirePositive("baseRate", baseRate);
        ScheduleSupport.requireSteps("warmupSteps", warmupSteps, 0);
    }

    @Override
    public double rate(long step) {
        ScheduleSupport.checkStep(step);
        double s = step + 1.0;
        if (warmupSteps == 0) {
            return baseRate / Math.sqrt(s);
        }
        double w = warmupSteps;
        return baseRate * Math.min(s / w, Math.sqrt(w / s));
    }
}
