package org.descent.math.optim;

import org.descent.math.nn.ParameterLayout;

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
 * {@code eps = 1e-10} (as in PyTorch); a typical base rate is 0.01.
 */
public final class Adagrad implements Optimizer {
    static final String NAME = "adagrad";
    public static final double DEFAULT_EPSILON = 1e-10;
    private static final String[] HYPER_NAMES = {"epsilon"};

    private final LearningRateSchedule schedule;
    private final double epsilon;
    private int size = -1;
    private long steps;
    private double[] sumSquares;

    /** @param epsilon {@code eps > 0} */
    public Adagrad(LearningRateSchedule schedule, double epsilon) {
        this.schedule = OptimizerSupport.requireSchedule(schedule);
        this.epsilon = OptimizerSupport.requirePositive("epsilon", epsilon);
    }

    public Adagrad(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_EPSILON);
    }

    @Override
    public void init(ParameterLayout layout) {
        size = layout.size();
        sumSquares = new double[size];
        steps = 0;
    }

    @Override
    public void step(double[] params, double[] grad, long stepIndex) {
        OptimizerSupport.checkStep(NAME, size, params, grad, stepIndex);
        double lr = schedule.rate(stepIndex);
        double[] s = sumSquares;
        for (int i = 0; i < size; i++) {
            double g = grad[i];
            s[i] += g * g;
            params[i] -= lr * g / (Math.sqrt(s[i]) + epsilon);
        }
        steps++;
    }

    @Override
    public double learningRate(long stepIndex) {
        return schedule.rate(stepIndex);
    }

    @Override
    public byte[] saveState() {
        OptimizerSupport.checkRestore(NAME, size);
        return OptimizerState.write(NAME, hyper(), steps, sumSquares);
    }

    @Override
    public void restoreState(byte[] state) {
        OptimizerSupport.checkRestore(NAME, size);
        OptimizerState.Decoded d = OptimizerState.read(state, NAME, HYPER_NAMES, hyper(), size);
        sumSquares = d.arrays()[0];
        steps = d.steps();
    }

    private double[] hyper() {
        return new double[] {epsilon};
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return "Adagrad[" + OptimizerState.hyperString(HYPER_NAMES, hyper()) + "]";
    }
}
