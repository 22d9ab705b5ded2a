package org.descent.job.train;

import java.util.List;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.scale.Scaler;

/**
 * Everything needed to continue a run bit-identically: what a checkpoint stores and what a resumed or warm-started
 * run starts from. Nothing else carries randomness: the data order of a step is a pure function of
 * {@code (training.seed, epoch, partition)} ({@code BatchPlan}), the partitioning and holdout are pure functions of
 * {@code (seed, row id)} (data package), the initial parameters are only drawn at step 0.
 *
 * @param architecture   the architecture {@code params} belong to; a run starting from this state must build an
 *                       equal one
 * @param epoch          the cursor: the next epoch to run (0-based) ...
 * @param step           ... and its next step; {@code stepsPerEpoch} means "all steps done, validation and report of
 *                       {@code epoch} pending"
 * @param stepsPerEpoch  steps per epoch when the state was taken (0 = unknown: a warm start)
 * @param epochs         the run's planned epochs (0 = unknown: a warm start)
 * @param trainRows      training rows of the run (0 = unknown)
 * @param lossWeighted   running {@code sum(loss * rows)} of the steps of {@code epoch} already done
 * @param rowsSeen       rows of those steps
 * @param params         the parameters (copied; the layout of {@code architecture})
 * @param optimizerState {@code Optimizer.saveState()}, or null for a fresh optimizer (a warm start without it)
 * @param scaler         the feature scaler to use instead of fitting one (null: none / fit as configured)
 * @param completed      the reports of the finished epochs, in order
 */
public record TrainingState(ModelArchitecture architecture, int epoch, int step, int stepsPerEpoch, int epochs,
                            long trainRows, double lossWeighted, long rowsSeen, double[] params, byte[] optimizerState,
                            Scaler scaler, List<EpochReport> completed) {

    public TrainingState {
        params = params.clone();
        completed = List.copyOf(completed);
    }

    /** A warm start: {@code params} (and optionally an optimizer state) at epoch 0, step 0. */
    public static TrainingState warm(ModelArchitecture architecture, double[] params, byte[] optimizerState,
                                     Scaler scaler) {
        return new TrainingState(architecture, 0, 0, 0, 0, 0, 0.0, 0L, params, optimizerState, scaler, List.of());
    }

    /** Optimizer steps done before the cursor: {@code epoch * stepsPerEpoch + step}. */
    public long globalStepsDone() {
        return (long) epoch * stepsPerEpoch + step;
    }
}
