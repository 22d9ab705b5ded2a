package org.descent.job.train;

import org.descent.job.config.EarlyStoppingConfig;

/**
 * The early-stopping rule, fed one value of the watched validation metric per epoch.
 *
 * <p>Epoch {@code e} improves when its value {@code v} is finite and beats the best so far by more
 * than {@code minDelta}: {@code v < best - minDelta} (loss, RMSE) or {@code v > best + minDelta}
 * (accuracy, AUC, R²); the first finite value always improves. After {@code patience} consecutive
 * epochs without an improvement {@link #offer} answers {@link Decision#STOP}. A NaN value (e.g. AUC of
 * a validation set with one class) never improves.
 *
 * <p>Call order: {@link #offer} once per finished epoch, in epoch order; on {@link Decision#IMPROVED}
 * the caller copies the parameters; on {@link Decision#STOP} it stops and keeps the copy of
 * {@link #bestEpoch()}.
 */
public final class EarlyStopping {
    /** What to do after an epoch. */
    public enum Decision { IMPROVED, CONTINUE, STOP }

    private final EarlyStoppingConfig.Metric metric;
    private final int patience;
    private final double minDelta;
    private int bestEpoch = -1;
    private double best = Double.NaN;
    private int sinceBest;

    public EarlyStopping(EarlyStoppingConfig cfg) {
        this.metric = cfg.metric();
        this.patience = cfg.patience();
        this.minDelta = cfg.minDelta();
    }

    /** @param epoch 0-based epoch index; @param value the metric after that epoch */
    public Decision offer(int epoch, double value) {
        boolean improved = Double.isFinite(value) && (bestEpoch < 0
                || (metric.higherIsBetter() ? value > best + minDelta : value < best - minDelta));
        if (improved) {
            best = value;
            bestEpoch = epoch;
            sinceBest = 0;
            return Decision.IMPROVED;
        }
        sinceBest++;
        return sinceBest >= patience ? Decision.STOP : Decision.CONTINUE;
    }

    /** 0-based epoch of the best value, -1 before any finite value. */
    public int bestEpoch() {
        return bestEpoch;
    }

    public double bestValue() {
        return best;
    }

    public EarlyStoppingConfig.Metric metric() {
        return metric;
    }

    public int patience() {
        return patience;
    }
}
