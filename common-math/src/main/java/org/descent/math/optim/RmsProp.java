package org.descent.math.optim;

import org.descent.math.nn.ParameterLayout;

/**
 * RMSProp, Tieleman &amp; Hinton (2012), Coursera "Neural Networks for Machine Learning", lecture 6e:
 *
 * <pre>
 *   E_{t+1} = rho * E_t + (1 - rho) * g_t^2       (elementwise, E_0 = 0)
 *   w_{t+1} = w_t - lr_t * g_t / (sqrt(E_{t+1}) + eps)
 * </pre>
 *
 * Defaults: {@code rho = 0.9} (the lecture's value), {@code eps = 1e-8}; a typical base rate is 1e-3.
 */
public final class RmsProp implements Optimizer {
    static final String NAME = "rmsprop";
    public static final double DEFAULT_RHO = 0.9;
    public static final double DEFAULT_EPSILON = 1e-8;
    private static final String[] HYPER_NAMES = {"rho", "epsilon"};

    private final LearningRateSchedule schedule;
    private final double rho;
    private final double epsilon;
    private int size = -1;
    private long steps;
    private double[] meanSquares;

    /**
     * @param rho     decay of the running mean of squared gradients, in {@code [0, 1)}
     * @param epsilon {@code eps > 0}
     */
    public RmsProp(LearningRateSchedule schedule, double rho, double epsilon) {
        this.schedule = OptimizerSupport.requireSchedule(schedule);
        this.rho = OptimizerSupport.requireRange("rho", rho, 0, true, 1, false);
        this.epsilon = OptimizerSupport.requirePositive("epsilon", epsilon);
    }

    public RmsProp(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_RHO, DEFAULT_EPSILON);
    }

    @Override
    public void init(ParameterLayout layout) {
        size = layout.size();
        meanSquares = new double[size];
        steps = 0;
    }

    @Override
    public void step(double[] params, double[] grad, long stepIndex) {
        OptimizerSupport.checkStep(NAME, size, params, grad, stepIndex);
        double lr = schedule.rate(stepIndex);
        double[] e = meanSquares;
        for (int i = 0; i < size; i++) {
            double g = grad[i];
            e[i] = rho * e[i] + (1 - rho) * g * g;
            params[i] -= lr * g / (Math.sqrt(e[i]) + epsilon);
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
        return OptimizerState.write(NAME, hyper(), steps, meanSquares);
    }

    @Override
    public void restoreState(byte[] state) {
        OptimizerSupport.checkRestore(NAME, size);
        OptimizerState.Decoded d = OptimizerState.read(state, NAME, HYPER_NAMES, hyper(), size);
        meanSquares = d.arrays()[0];
        steps = d.steps();
    }

    private double[] hyper() {
        return new double[] {rho, epsilon};
    }

    public double rho() {
        return rho;
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
        return "RmsProp[" + OptimizerState.hyperString(HYPER_NAMES, hyper()) + "]";
    }
}
