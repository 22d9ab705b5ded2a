package org.descent.job.checkpoint;

import java.nio.charset.StandardCharsets;
import org.descent.job.config.CheckpointConfig;
import org.descent.job.train.CheckpointHook;
import org.descent.job.train.TrainingState;

/**
 * The {@link CheckpointHook} that writes checkpoints by the {@code checkpoint.*} policy:
 * <ul>
 *   <li>after an epoch's validation and report when {@code (epoch + 1) % every-epochs == 0}, or when the
 *       global step count is a multiple of {@code every-steps};</li>
 *   <li>after a step (inside an epoch, i.e. not its last step) when the global step count is a multiple
 *       of {@code every-steps};</li>
 *   <li>never after the final epoch: the model directory written next is the result.</li>
 * </ul>
 */
public final class CheckpointWriter implements CheckpointHook {
    private final CheckpointStore store;
    private final CheckpointConfig cfg;
    private final String configHash;
    private final String configCanonical;

    public CheckpointWriter(CheckpointStore store, CheckpointConfig cfg, String resolvedHocon) {
        this.store = store;
        this.cfg = cfg;
        this.configCanonical = ConfigHash.canonical(resolvedHocon);
        this.configHash = ConfigHash.sha256(configCanonical.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean wants(int nextEpoch, int nextStep, int stepsPerEpoch, int epochs, boolean epochEnd) {
        long global = (long) nextEpoch * stepsPerEpoch + nextStep;
        boolean byStep = cfg.everySteps() > 0 && global % cfg.everySteps() == 0;
        if (!epochEnd) return byStep && nextStep < stepsPerEpoch;
        boolean byEpoch = cfg.everyEpochs() > 0 && nextEpoch % cfg.everyEpochs() == 0;
        return nextEpoch < epochs && (byEpoch || byStep);
    }

    @Override
    public void save(TrainingState state) {
        store.write(new Checkpoint(state, configHash, configCanonical), cfg.keepLast());
    }

    @Override
    public long stateEvery() {
        return Math.max(0, cfg.everySteps());
    }
}
