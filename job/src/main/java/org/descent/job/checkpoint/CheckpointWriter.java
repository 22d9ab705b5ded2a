package org.descent.job.checkpoint;

import org.descent.job.config.CheckpointConfig;
import org.descent.job.train.CheckpointHook;

/**
 * The {@link CheckpointHook} that writes checkpoints by the {@code checkpoint.*} policy:
 * <ul>
 *   <li>after an epoch's validation and report when {@code (epoch + 1) % every-epochs == 0}, or when the
 *       global step count is a multiple of {@code every-steps};</li>
 *   <li>after a step (inside an epoch, i.e. not its last step) when the global step count is a multiple
 *       of {@code every-steps};</li>
 *   <li>never after the final epoch: the model directory written next is the result.</li>
 * </ul>
 * Test hook: system property {@value #STEP_DELAY_PROPERTY} (milliseconds) sleeps after every step, so
 * a test can kill the process mid-epoch.
 */
public final class CheckpointWriter implements CheckpointHook {
    public static final String STEP_DELAY_PROPERTY = "descent.test.stepDelayMillis";

    private final CheckpointStore store;
    private final CheckpointConfig cfg;
    private final String configHash;
    private final String configCanonical;
    private final long stepDelay = Long.getLong(STEP_DELAY_PROPERTY, 0L);

    public CheckpointWriter(CheckpointStore store, CheckpointConfig cfg, String resolvedHocon) {
        this.store = store;
        this.cfg = cfg;
        this.configCanonical = ConfigHash.canonical(resolvedHocon);
        this.configHash = ConfigHash.sha256(configCanonical.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void afterStep(Snapshot s) {
        if (stepDelay > 0) {
            try {
                Thread.sleep(stepDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (cfg.everySteps() > 0 && s.globalStepsDone() % cfg.everySteps() == 0 && s.nextStep() < s.stepsPerEpoch()) {
            store.write(toCheckpoint(s), cfg.keepLast());
        }
    }

    @Override
    public long stateEvery() {
        return Math.max(0, cfg.everySteps());
    }

    @Override
    public void afterEpoch(Snapshot s) {
        if (s.nextEpoch() >= s.epochs()) return;
        boolean byEpoch = cfg.everyEpochs() > 0 && s.nextEpoch() % cfg.everyEpochs() == 0;
        boolean byStep = cfg.everySteps() > 0 && s.globalStepsDone() % cfg.everySteps() == 0;
        if (byEpoch || byStep) {
            store.write(toCheckpoint(s), cfg.keepLast());
        }
    }

    Checkpoint toCheckpoint(Snapshot s) {
        return new Checkpoint(s.architecture(), s.nextEpoch(), s.nextStep(), s.stepsPerEpoch(), s.epochs(),
                s.globalStepsDone(), s.trainRows(), s.lossWeighted(), s.rowsSeen(), s.params().clone(),
                s.optimizer().saveState(), s.scaler(), s.completed(), configHash, configCanonical);
    }
}
