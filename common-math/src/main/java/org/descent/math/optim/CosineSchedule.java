package org.descent.math.optim;

/**
 * Cosine annealing (Loshchilov &amp; Hutter 2017, "SGDR", eq. 5, single cycle, no restarts) with an
 * optional linear warm-up. With {@code W = warmupSteps}, {@code T = totalSteps}:
 *
 * <pre>
 *   t &lt; W:       lr(t) = baseRate * (t + 1) / W
 *   W &lt;= t &lt; T:  p = (t - W) / (T - W);  lr(t) = minRate + (baseRate - minRate) * (1 + cos(pi p)) / 2
 *   t &gt;= T:      lr(t) = minRate
 * </pre>
 *
 * so the rate reaches {@code baseRate} at the end of warm-up ({@code t = W - 1} and {@code t = W}) and
 * falls to the floor {@code minRate} at {@code t = T}.
 */
public record CosineSchedule(double baseRate, double minRate, long warmupSteps, long totalSteps)
        implements LearningRateSchedule {
    public CosineSchedule {
        OptimizerSupport.requirePositive("baseRate", baseRate);
        OptimizerSupport.requireNonNegative("minRate", minRate);
        if (minRate > baseRate) {
            throw new IllegalArgumentException("minRate (" + minRate + ") must not exceed baseRate (" + baseRate + ")");
        }
        ScheduleSupport.requireSteps("warmupSteps", warmupSteps, 0);
        if (totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("totalSteps (" + totalSteps + ") must be greater than warmupSteps ("
                    + warmupSteps + ")");
        }
    }

    /** No warm-up, decay to 0 over {@code totalSteps}. */
    public CosineSchedule(double baseRate, long totalSteps) {
        this(baseRate, 0, 0, totalSteps);
    }

    @Override
    public double rate(long step) {
        ScheduleSupport.checkStep(step);
        if (step < warmupSteps) {
            return baseRate * ScheduleSupport.warmup(step, warmupSteps);
        }
        if (step >= totalSteps) {
            return minRate;
        }
        double p = (step - warmupSteps) / (double) (totalSteps - warmupSteps);
        return minRate + (baseRate - minRate) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
}
