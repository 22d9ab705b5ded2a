package org.descent.math.optim;

import org.descent.math.nn.ParameterLayout;

/**
 * AdamW, Loshchilov &amp; Hutter (2019), "Decoupled Weight Decay Regularization", ICLR, Algorithm 2:
 * Adam ({@link Adam}, same moments and bias correction) with the weight decay applied to the
 * parameters directly instead of being added to the gradient:
 *
 * <pre>
 *   m_t, v_t, mhat_t, vhat_t as in Adam (t = 1-based step counter)
 *   w_t = w_{t-1} - lr * ( mhat_t / (sqrt(vhat_t) + eps) + lambda * w_{t-1} )   for decayed entries
 *   w_t = w_{t-1} - lr *   mhat_t / (sqrt(vhat_t) + eps)                         for exempt entries
 * </pre>
 *
 * The decay is scaled by the full scheduled rate {@code lr} (the paper's {@code eta_t * lambda} with
 * {@code eta_t = lr}; PyTorch's convention), so {@code lambda} is comparable with PyTorch's
 * {@code weight_decay}. Biases (per {@link ParameterLayout#biasMask()}) are exempt unless
 * {@code decayBiases} is true. Defaults: {@code beta1 = 0.9, beta2 = 0.999, eps = 1e-8,
 * lambda = 0.01, decayBiases = false}.
 *
 * <p>Do not also add an L2 penalty for the same parameters unless you want both.
 */
public final class AdamW implements Optimizer {
    static final String NAME = "adamw";
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;
    private static final String[] HYPER_NAMES = {"beta1", "beta2", "epsilon", "weightDecay", "decayBiases"};

    private final LearningRateSchedule schedule;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final boolean decayBiases;
    private int size = -1;
    private long steps;
    private double[] m;
    private double[] v;
    private boolean[] exempt;

    /**
     * @param beta1       first-moment decay in {@code [0, 1)}
     * @param beta2       second-moment decay in {@code [0, 1)}
     * @param epsilon     {@code eps > 0}
     * @param weightDecay {@code lambda >= 0}
     * @param decayBiases whether bias entries are decayed too (default false)
     */
    public AdamW(LearningRateSchedule schedule, double beta1, double beta2, double epsilon,
                 double weightDecay, boolean decayBiases) {
        this.schedule = OptimizerSupport.requireSchedule(schedule);
        this.beta1 = OptimizerSupport.requireRange("beta1", beta1, 0, true, 1, false);
        this.beta2 = OptimizerSupport.requireRange("beta2", beta2, 0, true, 1, false);
        this.epsilon = OptimizerSupport.requirePositive("epsilon", epsilon);
        this.weightDecay = OptimizerSupport.requireNonNegative("weightDecay", weightDecay);
        this.decayBiases = decayBiases;
    }

    /** Paper defaults for the moments, the given decay, biases exempt. */
    public AdamW(LearningRateSchedule schedule, double weightDecay) {
        this(schedule, Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2, Adam.DEFAULT_EPSILON, weightDecay, false);
    }

    public AdamW(LearningRateSchedule schedule) {
        this(schedule, DEFAULT_WEIGHT_DECAY);
    }

    @Override
    public void init(ParameterLayout layout) {
        size = layout.size();
        m = new double[size];
        v = new double[size];
        exempt = decayBiases ? new boolean[size] : layout.biasMask();
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
            double update = mHat / (Math.sqrt(vHat) + epsilon);
            if (!exempt[i]) {
                update += weightDecay * params[i];
            }
            params[i] -= lr * update;
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
        return new double[] {beta1, beta2, epsilon, weightDecay, decayBiases ? 1 : 0};
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

    public double weightDecay() {
        return weightDecay;
    }

    public boolean decayBiases() {
        return decayBiases;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String toString() {
        return "AdamW[" + OptimizerState.hyperString(HYPER_NAMES, hyper()) + "]";
    }
}
