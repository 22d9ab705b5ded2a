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
 * lambda = 0.01, decayBiases = false}. State: {@code m} then {@code v}, as Adam's; the moment
 * update is Adam's shared per-coordinate step.
 *
 * <p>Do not also add an L2 penalty for the same parameters unless you want both.
 */
public final class AdamW extends StatefulOptimizer {
    static final String NAME = "adamw";
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;
    private static final String[] HYPER_NAMES = {"beta1", "beta2", "epsilon", "weightDecay", "decayBiases"};

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final boolean decayBiases;
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
        super(NAME, schedule, HYPER_NAMES, 2);
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

    /** The exemption mask: biases unless {@code decayBiases}, otherwise nothing. */
    @Override
    void initLayout(ParameterLayout layout) {
        exempt = decayBiases ? new boolean[layout.size()] : layout.biasMask();
    }

    @Override
    void update(double[] params, double[] grad, double lr, int from, int to) {
        long t = steps() + 1;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        double[] m = state(Adam.M);
        double[] v = state(Adam.V);
        for (int i = from; i < to; i++) {
            double update = Adam.moments(grad[i], m, v, i, beta1, beta2, bc1, bc2, epsilon, 1);
            if (!exempt[i]) {
                update += weightDecay * params[i];
            }
            params[i] -= lr * update;
        }
    }

    @Override
    double[] hyper() {
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
}
