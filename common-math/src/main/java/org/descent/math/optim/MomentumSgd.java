package org.descent.math.optim;

import java.util.Arrays;

/**
 * SGD with heavy-ball momentum (Polyak 1964; Sutskever et al. 2013, eq. 1), in the
 * "velocity accumulates raw gradients" convention used by PyTorch and by Spark MLlib:
 *
 * <pre>
 *   v_{t+1} = mu * v_t + g_t          (v_0 = 0)
 *   w_{t+1} = w_t - lr_t * v_{t+1}
 * </pre>
 *
 * The learning rate multiplies the whole velocity, so a schedule change takes effect immediately.
 * With constant {@code lr} this is the same trajectory as the other convention
 * ({@code v = mu v - lr g; w += v}). Default {@code mu = 0.9}. State: the velocity {@code v}.
 */
public final class MomentumSgd extends StatefulOptimizer {
    static final String NAME = "momentum";
    /** Default momentum coefficient. */
    public static final double DEFAULT_MOMENTUM = 0.9;
    private static final String[] HYPER_NAMES = {"momentum"};

    private final double momentum;

    /** @param momentum {@code mu} in {@code [0, 1)} */
    public MomentumSgd(LearningRateSchedule schedule, double momentum) {
        super(NAME, schedule, HYPER_NAMES, 1);
        this.momentum = OptimizerSupport.requireRange("momentum", momentum, 0, true, 1, false);
    }

    public MomentumSgd(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_MOMENTUM);
    }

    @Override
    void update(double[] params, double[] grad, double lr, int from, int to) {
        double[] v = state(0);
        for (int i = from; i < to; i++) {
            v[i] = momentum * v[i] + grad[i];
            params[i] -= lr * v[i];
        }
    }

    /** One pass: the scaling, its square's sum and the update per entry ({@code grad} is left unwritten). */
    @Override
    double updateScaled(double[] params, double[] sums, double scale, double[] grad, double lr, int from, int to) {
        double[] v = state(0);
        double ss = 0;
        for (int i = from; i < to; i++) {
            double g = sums[i] * scale;
            ss += g * g;
            v[i] = momentum * v[i] + g;
            params[i] -= lr * v[i];
        }
        return ss;
    }

    @Override
    double[] hyper() {
        return new double[] {momentum};
    }

    public double momentum() {
        return momentum;
    }

    /** Copy of the velocity {@code v} (null before {@link #init}). */
    public double[] velocity() {
        double[] v = state(0);
        return v == null ? null : Arrays.copyOf(v, v.length);
    }
}
