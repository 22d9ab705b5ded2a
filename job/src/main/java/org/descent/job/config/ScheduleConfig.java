package org.descent.job.config;

import org.descent.math.optim.ScheduleKind;
import org.descent.math.optim.ScheduleSpec;

/**
 * The {@code schedule} section, validated. Step counts are global optimizer steps (0-based);
 * {@code totalSteps = 0} means "the whole run" (epochs x steps per epoch), resolved when the data
 * size is known.
 */
public record ScheduleConfig(ScheduleKind kind, double decayRate, long decaySteps, long warmupSteps,
                             long totalSteps, double minLearningRate) {

    /** The schedule for a base rate; {@code runSteps} replaces {@code totalSteps = 0}. */
    public ScheduleSpec toSpec(double baseRate, long runSteps) {
        long total = totalSteps > 0 ? totalSteps : Math.max(1, runSteps);
        return new ScheduleSpec(kind, baseRate, decayRate, decaySteps, warmupSteps, total, minLearningRate);
    }
}
