package org.descent.job.train;

import java.util.List;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.scale.Scaler;

/**
 * Where a run starts instead of "fresh parameters at epoch 0, step 0": a resumed checkpoint or a warm
 * start from a saved model. Handed to {@link Trainer#withStartState}.
 *
 * @param architecture      the architecture {@code params} belong to; the run's must be equal
 * @param params            initial parameters (copied; layout of {@code architecture})
 * @param optimizerState    {@code Optimizer.saveState()} bytes to restore, or null for a fresh optimizer
 * @param scaler            the feature scaler to use instead of fitting one (null: fit as configured); must
 *                          match {@code data.scaling}
 * @param epoch             the cursor: the next epoch to run (0-based)
 * @param step              the next step of {@code epoch} to run; {@code stepsPerEpoch} means "all steps done,
 *                          validation and report of {@code epoch} pending"
 * @param stepsPerEpoch     steps per epoch when the state was saved (0 = unknown, e.g. a warm start)
 * @param lossWeighted      running {@code sum(loss * rows)} of the steps of {@code epoch} already done
 * @param rowsSeen          running row count of those steps
 * @param completed         the reports of the epochs before {@code epoch}
 * @param source            human-readable origin for logs and errors ("checkpoint ...", "model ...")
 */
public record StartState(ModelArchitecture architecture, double[] params, byte[] optimizerState, Scaler scaler,
                         int epoch, int step, int stepsPerEpoch, double lossWeighted, long rowsSeen,
                         List<EpochReport> completed, String source) {

    public StartState {
        params = params.clone();
        completed = List.copyOf(completed);
    }

    /** A warm start: {@code params} (and optionally an optimizer state) at epoch 0, step 0. */
    public static StartState warm(ModelArchitecture architecture, double[] params, byte[] optimizerState,
                                  Scaler scaler, String source) {
        return new StartState(architecture, params, optimizerState, scaler, 0, 0, 0, 0.0, 0L, List.of(), source);
    }
}
