package org.descent.math.optim;

/**
 * SGD with Nesterov accelerated gradient (Nesterov 1983), in the reformulation of Sutskever et al.
 * (2013, "On the importance of initialization and momentum in deep learning", eq. 3-4) that needs
 * only the gradient at the current parameters, with the same velocity convention as
 * {@link MomentumSgd} (PyTorch {@code nesterov=True}):
 *
 * <pre>
 *   v_{t+1} = mu * v_t + g_t                 (v_0 = 0)
 *   w_{t+1} = w_t - lr_t * (g_t + mu * v_{t+1})
 * </pre>
 *
 * Default {@code mu = 0.9}. State: the velocity {@code v}.
 */
public final class NesterovSgd extends StatefulOptimizer {
    static final String NAME = "nesterov";
    public static final double DEFAULT_MOMENTUM = 0.9;
    private static final String[] HYPER_NAMES = {"momentum"};

    private final double momentum;

    /** @param momentum {@code mu} in {@code [0, 1)} */
    public NesterovSgd(LearningRateSchedule schedule, double momentum) {
        super(NAME, schedule, HYPER_NAMES, 1);
        this.momentum = OptimizerSupport.requireRange("momentum", momentum, 0, true, 1, false);
    }

    public NesterovSgd(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_MOMENTUM);
    }

    @Override
    void update(double[] params, double[] grad, double lr, int from, int to) {
        double[] v = state(0);
        for (int i = from; i < to; i++) {
            double g = grad[i];
            v[i] = momentum * v[i] + g;
            params[i] -= lr * (g + momentum * v[i]);
        }
    }

    @Override
    double[] hyper() {
        return new double[] {momentum};
    }

    public double momentum() {
        return momentum;
    }
}
