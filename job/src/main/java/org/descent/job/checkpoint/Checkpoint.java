package org.descent.job.checkpoint;

import org.descent.job.train.TrainingState;

/**
 * A run's {@link TrainingState} as a checkpoint stores it (see {@link CheckpointCodec} for the bytes), with the
 * config it was written under.
 *
 * @param configHash      {@link ConfigHash#of} of the run's resolved config
 * @param configCanonical the hashed text, for naming differing keys
 */
public record Checkpoint(TrainingState state, String configHash, String configCanonical) {

    /** The directory name: {@code ckpt-e<epoch, 6 digits>-s<step, 8 digits>}, sorting in cursor order. */
    public String name() {
        return CheckpointStore.dirName(state.epoch(), state.step());
    }
}
