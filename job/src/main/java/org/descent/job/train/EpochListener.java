package org.descent.job.train;

import java.util.List;
import java.util.Map;

/**
 * Observes the run on the driver, epoch by epoch (run directory, progress line, tests capturing the
 * parameters of every epoch). Call order: {@link #onHistory} (a resumed run: the epochs finished before), then
 * {@link #onStart} once before the first step, then {@link #onEpoch} after each epoch's validation pass and before
 * the early-stopping decision.
 */
public interface EpochListener {
    /** A resumed run: the reports of the epochs an earlier process finished (from the checkpoint), in order. */
    default void onHistory(List<EpochReport> completed) {}

    /** Before the first step: the planned epochs, steps per epoch and training rows. */
    default void onStart(int epochs, int stepsPerEpoch, long trainRows) {}

    /**
     * After an epoch. {@code metrics} holds {@code trainLoss} and the validation figures
     * ({@code validationLoss}, {@code validationAccuracy} | {@code validationAuc} | {@code validationRmse},
     * {@code validationR2}, ...); {@code params} is the live buffer (copy it to keep it);
     * {@code globalStep} counts the optimizer steps done so far.
     */
    void onEpoch(EpochReport report, Map<String, Double> metrics, double[] params, long globalStep);

    EpochListener NONE = (r, m, p, s) -> { };

    /** Calls {@code a} then {@code b}. */
    static EpochListener both(EpochListener a, EpochListener b) {
        return new EpochListener() {
            @Override
            public void onHistory(List<EpochReport> completed) {
                a.onHistory(completed);
                b.onHistory(completed);
            }

            @Override
            public void onStart(int epochs, int stepsPerEpoch, long trainRows) {
                a.onStart(epochs, stepsPerEpoch, trainRows);
                b.onStart(epochs, stepsPerEpoch, trainRows);
            }

            @Override
            public void onEpoch(EpochReport report, Map<String, Double> metrics, double[] params, long globalStep) {
                a.onEpoch(report, metrics, params, globalStep);
                b.onEpoch(report, metrics, params, globalStep);
            }
        };
    }
}
