package org.descent.math.optim;

/**
 * RMSProp, Tieleman &amp; Hinton (2012), Coursera "Neural Networks for Machine Learning", lecture 6e:
 *
 * <pre>
 *   E_{t+1} = rho * E_t + (1 - rho) * g_t^2       (elementwise, E_0 = 0)
 *   w_{t+1} = w_t - lr_t * g_t / (sqrt(E_{t+1}) + eps)
 * </pre>
 *
 * Defaults: {@code rho = 0.9} (the lecture's value), {@code eps = 1e-8}; a typical base rate is 1e-3.
 * State: the running mean of squares {@code E}.
 */
public final class RmsProp extends StatefulOptimizer {
    static final String NAME = "rmsprop";
    public static final double DEFAULT_RHO = 0.9;
    public static final double DEFAULT_EPSILON = 1e-8;
    private static final String[] HYPER_NAMES = {"rho", "epsilon"};

    private final double rho;
    private final double epsilon;

    /**
     * @param rho     decay of the running mean of squared gradients, in {@code [0, 1)}
     * @param epsilon {@code eps > 0}
     */
    public RmsProp(LearningRateSchedule schedule, double rho, double epsilon) {
        super(NAME, schedule, HYPER_NAMES, 1);
        this.rho = OptimizerSupport.requireRange("rho", rho, 0, true, 1, false);
        this.epsilon = OptimizerSupport.requirePositive("epsilon", epsilon);
    }

    public RmsProp(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_RHO, DEFAULT_EPSILON);
    }

    @Override
    void update(double[] params, double[] grad, double lr, int from, int to) {
        double[] e = state(0);
        for (int i = from; i < to; i++) {
            double g = grad[i];
            e[i] = rho * e[i] + (1 - rho) * g * g;
            params[i] -= lr * g / (Math.sqrt(e[i]) + epsilon);
        }
    }

    @Override
    double[] hyper() {
        return new double[] {rho, epsilon};
    }

    public double rho() {
        return rho;
    }

    public double epsilon() {
        return epsilon;
    }
}
