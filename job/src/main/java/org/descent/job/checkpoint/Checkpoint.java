package org.descent.job.checkpoint;

import java.util.List;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.train.EpochReport;
import org.descent.job.train.StartState;
import org.descent.math.scale.Scaler;

/**
 * Everything needed to continue a run bit-identically (see {@link CheckpointCodec} for the bytes).
 * Nothing else carries randomness: the data order of a step is a pure function of
 * {@code (training.seed, epoch, partition)} ({@code BatchPlan}), the partitioning and holdout are pure
 * functions of {@code (seed, row id)} (data package), the initial parameters are only drawn at step 0.
 *
 * @param epoch, step    the cursor: the next step to run ({@code step == stepsPerEpoch}: the epoch's
 *                       validation and report are pending)
 * @param lossWeighted   running {@code sum(loss * rows)} of the current epoch's steps done so far
 * @param rowsSeen       rows of those steps
 * @param completed      reports of the finished epochs
 * @param configHash     {@link ConfigHash#of} of the run's resolved config
 * @param configCanonical the hashed text, for naming differing keys
 */
public record Checkpoint(ModelArchitecture architecture, int epoch, int step, int stepsPerEpoch, int epochs,
                         long globalStepsDone, long trainRows, double lossWeighted, long rowsSeen, double[] params,
                         byte[] optimizerState, Scaler scaler, List<EpochReport> completed, String configHash,
                         String configCanonical) {

    public Checkpoint {
        completed = List.copyOf(completed);
    }

    /** The directory name: {@code ckpt-e<epoch, 6 digits>-s<step, 8 digits>}, sorting in cursor order. */
    public String name() {
        return CheckpointStore.dirName(epoch, step);
    }

    public StartState toStartState(String source) {
        return new StartState(architecture, params, optimizerState, scaler, epoch, step, stepsPerEpoch, lossWeighted,
                rowsSeen, completed, source);
    }
}
