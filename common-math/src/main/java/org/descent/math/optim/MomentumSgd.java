package org.descent.math.optim;

import java.util.Arrays;
import org.descent.math.nn.ParameterLayout;

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
 * ({@code v = mu v - lr g; w += v}). Default {@code mu = 0.9}.
 */
public final class MomentumSgd implements Optimizer {
    static final String NAME = "momentum";
    /** Default momentum coefficient. */
    public static final double DEFAULT_MOMENTUM = 0.9;
    private static final String[] HYPER_NAMES = {"momentum"};

    private final LearningRateSchedule schedule;
    private final double momentum;
    private int size = -1;
    private long steps;
    private double[] velocity;

    /** @param momentum {@code mu} in {@code [0, 1)} */
    public MomentumSgd(LearningRateSchedule schedule, double momentum) {
        this.schedule = OptimizerSupport.requireSchedule(schedule);
        this.momentum = OptimizerSupport.requireRange("momentum", momentum, 0, true, 1, false);
    }

    public MomentumSgd(LearningRateSchedule schedule) {
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
            v[i] = momentum * v[i] + grad[i];
            params[i] -= lr * v[i];
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

    /** Copy of the velocity {@code v}. */
    public double[] velocity() {
        return velocity == null ? null : Arrays.copyOf(velocity, velocity.length);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return "MomentumSgd[" + OptimizerState.hyperString(HYPER_NAMES, hyper()) + "]";
    }
}
