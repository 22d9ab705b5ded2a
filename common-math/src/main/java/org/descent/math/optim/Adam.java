package org.descent.math.optim;

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
 * State: {@code m} then {@code v}. The per-coordinate moment update is
 * {@link #moments(double, double[], double[], int, double, double, double, double, double, double)},
 * shared with {@link AdamW}.
 */
public final class Adam extends StatefulOptimizer {
    static final String NAME = "adam";
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;
    private static final String[] HYPER_NAMES = {"beta1", "beta2", "epsilon"};
    /** Indices of the first- and second-moment arrays in the state (also used by {@link AdamW}). */
    static final int M = 0;
    static final int V = 1;

    private final double beta1;
    private final double beta2;
    private final double epsilon;

    /**
     * @param beta1   first-moment decay in {@code [0, 1)}
     * @param beta2   second-moment decay in {@code [0, 1)}
     * @param epsilon {@code eps > 0}
     */
    public Adam(LearningRateSchedule schedule, double beta1, double beta2, double epsilon) {
        super(NAME, schedule, HYPER_NAMES, 2);
        this.beta1 = OptimizerSupport.requireRange("beta1", beta1, 0, true, 1, false);
        this.beta2 = OptimizerSupport.requireRange("beta2", beta2, 0, true, 1, false);
        this.epsilon = OptimizerSupport.requirePositive("epsilon", epsilon);
    }

    public Adam(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    @Override
    void update(double[] params, double[] grad, double lr, int from, int to) {
        long t = steps() + 1;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        double[] m = state(M);
        double[] v = state(V);
        for (int i = from; i < to; i++) {
            params[i] -= moments(grad[i], m, v, i, beta1, beta2, bc1, bc2, epsilon, lr);
        }
    }

    /**
     * One coordinate of the moment update shared by Adam and {@link AdamW}: advances
     *
     * <pre>
     *   m[i] = beta1 * m[i] + (1 - beta1) * g
     *   v[i] = beta2 * v[i] + (1 - beta2) * g^2
     * </pre>
     *
     * and returns {@code scale * mhat / (sqrt(vhat) + eps)} with {@code mhat = m[i] / bc1},
     * {@code vhat = v[i] / bc2} and {@code bc_k = 1 - beta_k^t} computed once per step by the caller.
     * The product {@code scale * mhat} is formed before the division: Adam passes {@code scale = lr}
     * (its rounding of {@code lr * mhat / (...)}); AdamW passes 1, which is exact, and applies
     * {@code lr} after adding its weight decay.
     */
    static double moments(double g, double[] m, double[] v, int i, double beta1, double beta2,
                          double bc1, double bc2, double epsilon, double scale) {
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        double mHat = m[i] / bc1;
        double vHat = v[i] / bc2;
        return scale * mHat / (Math.sqrt(vHat) + epsilon);
    }

    @Override
    double[] hyper() {
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
        return steps();
    }
}
