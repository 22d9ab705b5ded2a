package org.descent.math.optim;

/**
 * Validated description of an optimizer, the target of the job's config layer. Start from
 * {@link #defaults(OptimizerKind)} and override with the {@code with...} methods. Which fields a kind
 * uses (the others are ignored but must still be in range):
 *
 * <table>
 *   <caption>fields per kind</caption>
 *   <tr><th>kind</th><th>fields (default)</th></tr>
 *   <tr><td>SGD</td><td>-</td></tr>
 *   <tr><td>MOMENTUM, NESTEROV</td><td>momentum (0.9)</td></tr>
 *   <tr><td>ADAGRAD</td><td>epsilon (1e-10)</td></tr>
 *   <tr><td>RMSPROP</td><td>rho (0.9), epsilon (1e-8)</td></tr>
 *   <tr><td>ADAM</td><td>beta1 (0.9), beta2 (0.999), epsilon (1e-8)</td></tr>
 *   <tr><td>ADAMW</td><td>beta1, beta2, epsilon as Adam; weightDecay (0.01), decayBiases (false)</td></tr>
 * </table>
 *
 * Ranges: momentum, beta1, beta2, rho in {@code [0, 1)}; epsilon {@code > 0}; weightDecay {@code >= 0}.
 * The exception message names the offending field.
 */
public record OptimizerSpec(OptimizerKind kind, double momentum, double beta1, double beta2, double rho,
                            double epsilon, double weightDecay, boolean decayBiases) implements java.io.Serializable {
    public OptimizerSpec {
        if (kind == null) {
            throw new IllegalArgumentException("optimizer kind is null");
        }
        OptimizerSupport.requireRange("momentum", momentum, 0, true, 1, false);
        OptimizerSupport.requireRange("beta1", beta1, 0, true, 1, false);
        OptimizerSupport.requireRange("beta2", beta2, 0, true, 1, false);
        OptimizerSupport.requireRange("rho", rho, 0, true, 1, false);
        OptimizerSupport.requirePositive("epsilon", epsilon);
        OptimizerSupport.requireNonNegative("weightDecay", weightDecay);
    }

    /** The documented defaults for {@code kind} (epsilon is 1e-10 for Adagrad, 1e-8 otherwise). */
    public static OptimizerSpec defaults(OptimizerKind kind) {
        if (kind == null) {
            throw new IllegalArgumentException("optimizer kind is null");
        }
        double eps = kind == OptimizerKind.ADAGRAD ? Adagrad.DEFAULT_EPSILON : Adam.DEFAULT_EPSILON;
        return new OptimizerSpec(kind, MomentumSgd.DEFAULT_MOMENTUM, Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2,
                RmsProp.DEFAULT_RHO, eps, AdamW.DEFAULT_WEIGHT_DECAY, false);
    }

    public OptimizerSpec withMomentum(double value) {
        return new OptimizerSpec(kind, value, beta1, beta2, rho, epsilon, weightDecay, decayBiases);
    }

    public OptimizerSpec withBetas(double b1, double b2) {
        return new OptimizerSpec(kind, momentum, b1, b2, rho, epsilon, weightDecay, decayBiases);
    }

    public OptimizerSpec withRho(double value) {
        return new OptimizerSpec(kind, momentum, beta1, beta2, value, epsilon, weightDecay, decayBiases);
    }

    public OptimizerSpec withEpsilon(double value) {
        return new OptimizerSpec(kind, momentum, beta1, beta2, rho, value, weightDecay, decayBiases);
    }

    public OptimizerSpec withWeightDecay(double value) {
        return new OptimizerSpec(kind, momentum, beta1, beta2, rho, epsilon, value, decayBiases);
    }

    public OptimizerSpec withDecayBiases(boolean value) {
        return new OptimizerSpec(kind, momentum, beta1, beta2, rho, epsilon, weightDecay, value);
    }

    /** A fresh optimizer (call {@link Optimizer#init} next) driven by {@code schedule}. */
    public Optimizer build(LearningRateSchedule schedule) {
        return switch (kind) {
            case SGD -> new Sgd(schedule);
            case MOMENTUM -> new MomentumSgd(schedule, momentum);
            case NESTEROV -> new NesterovSgd(schedule, momentum);
            case ADAGRAD -> new Adagrad(schedule, epsilon);
            case RMSPROP -> new RmsProp(schedule, rho, epsilon);
            case ADAM -> new Adam(schedule, beta1, beta2, epsilon);
            case ADAMW -> new AdamW(schedule, beta1, beta2, epsilon, weightDecay, decayBiases);
        };
    }

    /** Same as {@code build(schedule.build())}. */
    public Optimizer build(ScheduleSpec schedule) {
        if (schedule == null) {
            throw new IllegalArgumentException("learning-rate schedule is null");
        }
        return build(schedule.build());
    }
}
