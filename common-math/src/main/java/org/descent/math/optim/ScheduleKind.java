package org.descent.math.optim;

/** The learning-rate schedules a config can name; see {@link ScheduleSpec}. */
public enum ScheduleKind {
    /** {@link ConstantSchedule}. */
    CONSTANT,
    /** {@link StepDecaySchedule}. */
    STEP,
    /** {@link ExponentialDecaySchedule}. */
    EXPONENTIAL,
    /** {@link InverseSqrtSchedule}. */
    INVERSE_SQRT,
    /** {@link CosineSchedule}. */
    COSINE;

    /** Case-insensitive; '-' and '_' are interchangeable ("inverse-sqrt"). Unknown names list the valid ones. */
    public static ScheduleKind parse(String text) {
        return KindNames.parse(ScheduleKind.class, "learning-rate schedule", text);
    }

    /** Lower-case config spelling, e.g. "inverse-sqrt". */
    public String configName() {
        return KindNames.configName(this);
    }
}
