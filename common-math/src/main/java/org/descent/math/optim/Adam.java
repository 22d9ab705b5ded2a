package org.descent.math.optim;

import org.descent.math.nn.ParameterLayout;

/**
 * Adam, Kingma &amp; Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR, Algorithm 1:
 *
 * <pre>
 *   t       = number of steps taken so far + 1          (1-based, counted by the optimizer)
 *   m_t     = beta1 * m_{t-1} + (1 - beta1) * g          (m_0 = 0)
 *   v_t     = beta2 * v_{t-1} + (1 - beta2) * g^2        (v_0 = 0, elementwise)
 *   mhat_t  = m_t / (1 - beta1^t)                        (bias correction)
 *   vhat_t  = v_t / (1 - beta2^t)
 *   w_t     = w_{t-1} - lr * mhat_t / (sqrt(vhat_t) + eps)
 * </pre>
 *
 * {@code lr = schedule.rate(stepIndex)}. The bias-correction exponent {@code t} is the optimizer's own
 * step counter (saved with the state), so it is right even when the global step index does not start
 * at 0. Defaults (the paper's): {@code beta1 = 0.9, beta2 = 0.999, eps = 1e-8}; base rate 1e-3.
 */
public final class Adam implements Optimizer {
    static final String NAME = "adam";
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;
    private static final String[] HYPER_NAMES = {"beta1", "beta2", "epsilon"};

    private final LearningRateSchedule schedule;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private int size = -1;
    private long steps;
    private double[] m;
    private double[] v;

    /**
     * @param beta1   first-moment decay in {@code [0, 1)}
     * @param beta2   second-moment decay in {@code [0, 1)}
     * @param epsilon {@code eps > 0}
     */
    public Adam(LearningRateSchedule schedule, double beta1, double beta2, double epsilon) {
        this.schedule = OptimizerSupport.requireSchedule(schedule);
        this.beta1 = OptimizerSupport.requireRange("beta1", beta1, 0, true, 1, false);
        this.beta2 = OptimizerSupport.requireRange("beta2", beta2, 0, true, 1, false);
        this.epsilon = OptimizerSupport.requirePositive("epsilon", epsilon);
    }

    public Adam(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    @Override
    public void init(ParameterLayout layout) {
        size = layout.size();
        m = new double[size];
        v = new double[size];
        steps = 0;
    }

    @Override
    public void step(double[] params, double[] grad, long stepIndex) {
        OptimizerSupport.checkStep(NAME, size, params, grad, stepIndex);
        double lr = schedule.rate(stepIndex);
        long t = steps + 1;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < size; i++) {
            double g = grad[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            double mHat = m[i] / bc1;
            double vHat = v[i] / bc2;
            params[i] -= lr * mHat / (Math.sqrt(vHat) + epsilon);
        }
        steps = t;
    }

    @Override
    public double learningRate(long stepIndex) {
        return schedule.rate(stepIndex);
    }

    @Override
    public byte[] saveState() {
        OptimizerSupport.checkRestore(NAME, size);
        return OptimizerState.write(NAME, hyper(), steps, m, v);
    }

    @Override
    public void restoreState(byte[] state) {
        OptimizerSupport.checkRestore(NAME, size);
        OptimizerState.Decoded d = OptimizerState.read(state, NAME, HYPER_NAMES, hyper(), size, size);
        m = d.arrays()[0];
        v = d.arrays()[1];
        steps = d.steps();
    }

    private double[] hyper() {
        return new double[] {beta1, beta2, epsilon};
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double epsilon() {
        return epsilon;
    }

    /** Steps taken so far ({@code t} of the last update). */
    public long stepsTaken() {
        return steps;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return "Adam[" + OptimizerState.hyperString(HYPER_NAMES, hyper()) + "]";
    }
}
