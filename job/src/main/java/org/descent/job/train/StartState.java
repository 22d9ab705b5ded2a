package org.descent.job.train;

/**
 * Where a run starts instead of "fresh parameters at epoch 0, step 0": a resumed checkpoint's or a saved model's
 * {@link TrainingState}, and where it came from ({@code "checkpoint ..."}, {@code "model ..."}) for logs and errors.
 * Handed to {@link Trainer#withStartState}.
 */
public record StartState(TrainingState state, String source) {

    /** A warm start from a saved model. */
    public static StartState warm(TrainingState state, String source) {
        return new StartState(state, source);
    }
}
