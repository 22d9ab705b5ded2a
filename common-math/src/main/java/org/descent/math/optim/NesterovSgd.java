package org.descent.math.optim;

import org.descent.math.nn.ParameterLayout;

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
 * Default {@code mu = 0.9}.
 */
public final class NesterovSgd implements Optimizer {
    static final String NAME = "nesterov";
    public static final double DEFAULT_MOMENTUM = 0.9;
    private static final String[] HYPER_NAMES = {"momentum"};

    private final LearningRateSchedule schedule;
    private final double momentum;
    private int size = -1;
    private long steps;
    private double[] velocity;

    /** @param momentum {@code mu} in {@code [0, 1)} */
    public NesterovSgd(LearningRateSchedule schedule, double momentum) {
        this.schedule = OptimizerSupport.requireSchedule(schedule);
        this.momentum = OptimizerSupport.requireRange("momentum", momentum, 0, true, 1, false);
    }

    public NesterovSgd(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_MOMENTUM);
    }

    @Override
    public void init(ParameterLayout layout) {
        size = layout.size();
        velocity = new double[size];
        steps = 0;
    }

    @Override
    public void step(double[] params, double[] grad, long stepIndex) {
        OptimizerSupport.checkStep(NAME, size, params, grad, stepIndex);
        double lr = schedule.rate(stepIndex);
        double[] v = velocity;
        for (int i = 0; i < size; i++) {
            double g = grad[i];
            v[i] = momentum * v[i] + g;
            params[i] -= lr * (g + momentum * v[i]);
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
        return OptimizerState.write(NAME, hyper(), steps, velocity);
    }

    @Override
    public void restoreState(byte[] state) {
        OptimizerSupport.checkRestore(NAME, size);
        OptimizerState.Decoded d = OptimizerState.read(state, NAME, HYPER_NAMES, hyper(), size);
        velocity = d.arrays()[0];
        steps = d.steps();
    }

    private double[] hyper() {
        return new double[] {momentum};
    }

    public double momentum() {
        return momentum;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return "NesterovSgd[" + OptimizerState.hyperString(HYPER_NAMES, hyper()) + "]";
    }
}
