package org.descent.math.optim;

/** Shared argument checks for the schedules. */
final class ScheduleSupport {
    private ScheduleSupport() {}

    static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("learning-rate schedule step must be >= 0, got " + step);
        }
    }

    static long requireSteps(String what, long v, long min) {
        if (v < min) {
            throw new IllegalArgumentException(what + " must be >= " + min + ", got " + v);
        }
        return v;
    }

    /** Linear warm-up factor {@code (t + 1) / warmup} for {@code t < warmup}. */
    static double warmup(long step, long warmupSteps) {
        return (step + 1) / (double) warmupSteps;
    }
}
