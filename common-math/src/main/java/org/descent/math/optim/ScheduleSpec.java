package org.descent.math.optim;

/**
 * Validated description of a learning-rate schedule, the target of the job's config layer. Which
 * fields a kind uses:
 *
 * <table>
 *   <caption>fields per kind</caption>
 *   <tr><th>kind</th><th>fields</th></tr>
 *   <tr><td>CONSTANT</td><td>baseRate</td></tr>
 *   <tr><td>STEP</td><td>baseRate, decayRate, decaySteps</td></tr>
 *   <tr><td>EXPONENTIAL</td><td>baseRate, decayRate, decaySteps</td></tr>
 *   <tr><td>INVERSE_SQRT</td><td>baseRate, warmupSteps</td></tr>
 *   <tr><td>COSINE</td><td>baseRate, minRate, warmupSteps, totalSteps</td></tr>
 * </table>
 *
 * Unused fields are ignored. Construction validates the used fields by building the schedule, so an
 * invalid spec cannot exist; the exception message names the offending field.
 */
public record ScheduleSpec(ScheduleKind kind, double baseRate, double decayRate, long decaySteps,
                           long warmupSteps, long totalSteps, double minRate) implements java.io.Serializable {
    public ScheduleSpec {
        if (kind == null) {
            throw new IllegalArgumentException("schedule kind is null");
        }
        create(kind, baseRate, decayRate, decaySteps, warmupSteps, totalSteps, minRate);
    }

    public static ScheduleSpec constant(double rate) {
        return new ScheduleSpec(ScheduleKind.CONSTANT, rate, 1, 1, 0, 1, 0);
    }

    public static ScheduleSpec stepDecay(double baseRate, double decayRate, long decaySteps) {
        return new ScheduleSpec(ScheduleKind.STEP, baseRate, decayRate, decaySteps, 0, 1, 0);
    }

    public static ScheduleSpec exponential(double baseRate, double decayRate, long decaySteps) {
        return new ScheduleSpec(ScheduleKind.EXPONENTIAL, baseRate, decayRate, decaySteps, 0, 1, 0);
    }

    public static ScheduleSpec inverseSqrt(double baseRate, long warmupSteps) {
        return new ScheduleSpec(ScheduleKind.INVERSE_SQRT, baseRate, 1, 1, warmupSteps, 1, 0);
    }

    public static ScheduleSpec cosine(double baseRate, double minRate, long warmupSteps, long totalSteps) {
        return new ScheduleSpec(ScheduleKind.COSINE, baseRate, 1, 1, warmupSteps, totalSteps, minRate);
    }

    /** A new schedule instance (schedules are immutable, so sharing one is fine too). */
    public LearningRateSchedule build() {
        return create(kind, baseRate, decayRate, decaySteps, warmupSteps, totalSteps, minRate);
    }

    private static LearningRateSchedule create(ScheduleKind kind, double baseRate, double decayRate, long decaySteps,
                                               long warmupSteps, long totalSteps, double minRate) {
        return switch (kind) {
            case CONSTANT -> new ConstantSchedule(baseRate);
            case STEP -> new StepDecaySchedule(baseRate, decayRate, decaySteps);
            case EXPONENTIAL -> new ExponentialDecaySchedule(baseRate, decayRate, decaySteps);
            case INVERSE_SQRT -> new InverseSqrtSchedule(baseRate, warmupSteps);
            case COSINE -> new CosineSchedule(baseRate, minRate, warmupSteps, totalSteps);
        };
    }
}
