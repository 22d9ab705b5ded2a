package org.descent.math.optim;

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
public final class Sgd extends StatefulOptimizer {
    static final String NAME = "sgd";
    private static final String[] HYPER_NAMES = {};

    public Sgd(LearningRateSchedule schedule) {
        super(NAME, schedule, HYPER_NAMES, 0);
    }

    @Override
    void update(double[] params, double[] grad, double lr, int from, int to) {
        for (int i = from; i < to; i++) {
            params[i] -= lr * grad[i];
        }
    }

    /** The same arithmetic as {@link #update} on one entry. */
    @Override
    void updateOne(double[] params, int i, double g, double lr) {
        params[i] -= lr * g;
    }

    /** {@code g = +0.0}, {@code lr} finite and {@code >= +0.0}: the update adds nothing (see the class formula). */
    @Override
    public boolean zeroGradientKeepsEntries() {
        return true;
    }

    @Override
    double[] hyper() {
        return new double[0];
    }

    /** Number of {@link #step} calls since {@link #init} (or as restored). */
    public long stepsTaken() {
        return steps();
    }
}
