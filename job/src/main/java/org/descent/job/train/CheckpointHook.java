package org.descent.job.train;

import java.util.List;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.optim.Optimizer;
import org.descent.math.scale.Scaler;

/**
 * Called by {@link Trainer} on the driver at every point a run could be resumed from: after each step the driver
 * holds the state of (every step with broadcast-collect; every segment end with allreduce, see {@link #stateEvery})
 * ({@link #afterStep}) and after each epoch's validation and report ({@link #afterEpoch}). The hook
 * decides whether to persist; it must not modify the snapshot's arrays.
 */
public interface CheckpointHook {

    /**
     * The complete state at a step boundary. The cursor ({@code nextEpoch}, {@code nextStep}) is the next
     * step to run; {@code nextStep == stepsPerEpoch} means the epoch's steps are done but its validation
     * and report are not. {@code params} and {@code optimizer} are live: serialise them before returning.
     */
    record Snapshot(ModelArchitecture architecture, int nextEpoch, int nextStep, int stepsPerEpoch, int epochs, long globalStepsDone,
                    double[] params, Optimizer optimizer, Scaler scaler, double lossWeighted, long rowsSeen,
                    List<EpochReport> completed, long trainRows) {}

    /** After step {@code nextStep - 1} of {@code nextEpoch} (and its optimizer update). */
    void afterStep(Snapshot s);

    /**
     * Global step counts at which {@link #afterStep} needs the exact state (a multiple of this; 0 = only at epoch
     * ends). The allreduce engine ends its segments there; the driver engine holds state after every step anyway.
     */
    default long stateEvery() {
        return 0;
    }

    /** After an epoch's validation and report; the cursor is {@code (epoch + 1, 0)}. */
    void afterEpoch(Snapshot s);

    CheckpointHook NONE = new CheckpointHook() {
        @Override
        public void afterStep(Snapshot s) { }

        @Override
        public void afterEpoch(Snapshot s) { }
    };
}
