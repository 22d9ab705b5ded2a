package org.descent.job.config;

/**
 * The {@code checkpoint} section: where checkpoints go ({@code dir}, null = checkpointing off) and how
 * often: after every {@code everyEpochs}-th epoch and/or every {@code everySteps}-th global optimizer
 * step (0 = off for either); only the newest {@code keepLast} are kept.
 */
public record CheckpointConfig(String dir, int everyEpochs, int everySteps, int keepLast) {
    public boolean enabled() {
        return dir != null;
    }
}
