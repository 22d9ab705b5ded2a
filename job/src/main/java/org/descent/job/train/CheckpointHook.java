package org.descent.job.train;

/**
 * Called by {@link Trainer} on the driver at every point a run could be resumed from: after each step whose state the
 * driver holds (every step with broadcast-collect; every segment end with allreduce, see {@link #stateEvery}), and
 * after each epoch's validation and report. At each point the trainer asks {@link #wants}; only then does it build the
 * {@link TrainingState} (a copy of parameters and optimizer state) and pass it to {@link #save}.
 */
public interface CheckpointHook {

    /**
     * Whether the state at this point is to be saved. The cursor ({@code nextEpoch}, {@code nextStep}) is the next step
     * to run ({@code nextStep == stepsPerEpoch}: the epoch's steps are done but its validation and report are not);
     * {@code epochEnd}: the point after an epoch's validation and report, cursor {@code (epoch + 1, 0)}.
     */
    boolean wants(int nextEpoch, int nextStep, int stepsPerEpoch, int epochs, boolean epochEnd);

    /** Persists {@code state} (called right after {@link #wants} said yes). */
    void save(TrainingState state);

    /**
     * Global step counts at which the trainer must hold the exact state (a multiple of this; 0 = only at epoch
     * ends). The allreduce engine ends its segments there; the driver engine holds state after every step anyway.
     */
    default long stateEvery() {
        return 0;
    }

    CheckpointHook NONE = new CheckpointHook() {
        @Override
        public boolean wants(int nextEpoch, int nextStep, int stepsPerEpoch, int epochs, boolean epochEnd) {
            return false;
        }

        @Override
        public void save(TrainingState state) { }
    };
}
