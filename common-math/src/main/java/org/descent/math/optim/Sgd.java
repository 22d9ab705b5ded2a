package org.descent.math.optim;

import org.descent.math.nn.ParameterLayout;

/**
 * Plain (mini-batch) stochastic gradient descent, Robbins &amp; Monro (1951):
 *
 * <pre>
 *   w_{t+1} = w_t - lr_t * g_t
 * </pre>
 *
 * where {@code lr_t = schedule.rate(t)}. No hyper-parameters besides the schedule; the only state
 * is the number of steps taken (kept so every optimizer serialises the same way).
 */
public final class Sgd implements Optimizer {
    static final String NAME = "sgd";
    private static final String[] HYPER_NAMES = {};

    private final LearningRateSchedule schedule;
    private int size = -1;
    private long steps;

    public Sgd(LearningRateSchedule schedule) {
        this.schedule = OptimizerSupport.requireSchedule(schedule);
    }

    @Override
    public void init(ParameterLayout layout) {
        size = layout.size();
        steps = 0;
    }

    @Override
    public void step(double[] params, double[] grad, long stepIndex) {
        OptimizerSupport.checkStep(NAME, size, params, grad, stepIndex);
        double lr = schedule.rate(stepIndex);
        for (int i = 0; i < size; i++) {
            params[i] -= lr * grad[i];
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
        return OptimizerState.write(NAME, new double[0], steps);
    }

    @Override
    public void restoreState(byte[] state) {
        OptimizerSupport.checkRestore(NAME, size);
        steps = OptimizerState.read(state, NAME, HYPER_NAMES, new double[0]).steps();
    }

    /** Number of {@link #step} calls since {@link #init} (or as restored). */
    public long stepsTaken() {
        return steps;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return "Sgd[]";
    }
}
