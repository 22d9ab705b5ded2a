package org.descent.math.optim;

/**
 * Adagrad, Duchi, Hazan &amp; Singer (2011), "Adaptive Subgradient Methods for Online Learning and
 * Stochastic Optimization", JMLR 12 (diagonal version):
 *
 * <pre>
 *   G_{t+1} = G_t + g_t^2                          (elementwise, G_0 = 0)
 *   w_{t+1} = w_t - lr_t * g_t / (sqrt(G_{t+1}) + eps)
 * </pre>
 *
 * {@code eps} keeps the first step finite where a coordinate's gradient has always been 0. Defaults:
 * {@code eps = 1e-10} (as in PyTorch); a typical base rate is 0.01. State: the sums of squares
 * {@code G}.
 */
public final class Adagrad extends StatefulOptimizer {
    static final String NAME = "adagrad";
    public static final double DEFAULT_EPSILON = 1e-10;
    private static final String[] HYPER_NAMES = {"epsilon"};

    private final double epsilon;

    /** @param epsilon {@code eps > 0} */
    public Adagrad(LearningRateSchedule schedule, double epsilon) {
        super(NAME, schedule, HYPER_NAMES, 1);
        this.epsilon = OptimizerSupport.requirePositive("epsilon", epsilon);
    }

    public Adagrad(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_EPSILON);
    }

    @Override
    void update(double[] params, double[] grad, double lr, int from, int to) {
        double[] s = state(0);
        for (int i = from; i < to; i++) {
            entry(params, s, i, grad[i], lr, epsilon);
        }
    }

    @Override
    void updateOne(double[] params, int i, double g, double lr) {
        entry(params, state(0), i, g, lr, epsilon);
    }

    /** One entry's rule, shared by the whole and the row update (the same bits). */
    private static void entry(double[] params, double[] s, int i, double g, double lr, double epsilon) {
        s[i] += g * g;
        params[i] -= lr * g / (Math.sqrt(s[i]) + epsilon);
    }

    /** {@code g = +0.0}, {@code lr} finite and {@code >= +0.0}: the update adds nothing (see the class formula). */
    @Override
    public boolean zeroGradientKeepsEntries() {
        return true;
    }

    @Override
    double[] hyper() {
        return new double[] {epsilon};
    }

    public double epsilon() {
        return epsilon;
    }
}
