package org.descent.job.checkpoint;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.descent.job.config.JobConfig;
import org.descent.job.model.ModelFormatException;
import org.descent.job.model.ModelStore;
import org.descent.job.model.SavedModel;
import org.descent.job.train.CheckpointHook;
import org.descent.job.train.StartState;
import org.descent.job.train.StartStateException;
import org.descent.job.train.TrainingState;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;

/**
 * Decides where {@code train} starts: the newest valid checkpoint ({@code --resume}), a saved model
 * ({@code --init-from}), or fresh parameters; and builds the checkpoint hook. Rules:
 * <ul>
 *   <li>{@code checkpoint.dir} holding checkpoints without {@code --resume} or {@code --fresh} is refused
 *       (nothing is overwritten by accident); {@code --fresh} deletes them first;</li>
 *   <li>{@code --resume} with no valid checkpoint starts like a run without it (from {@code --init-from}
 *       if given): a scheduler can always pass {@code --resume};</li>
 *   <li>a checkpoint written by another config (hash mismatch, see {@link ConfigHash}) is refused naming
 *       both hashes and the differing keys, unless {@code --force-resume};</li>
 *   <li>a checkpoint wins over {@code --init-from} (it already contains the warm start).</li>
 * </ul>
 * Every refusal is a {@link StartStateException} (exit 2).
 */
public final class TrainStart {
    private static final Logger LOG = LogManager.getLogger(TrainStart.class);

    /** The train command's start flags. */
    public record Options(boolean resume, boolean forceResume, boolean fresh, String initFrom, boolean initOptimizer) {
        public boolean resuming() {
            return resume || forceResume;
        }
    }

    private TrainStart() {}

    /** Flag and checkpoint-directory checks before Spark starts; {@code --fresh} deletes old checkpoints here. */
    public static void precheck(Configuration conf, JobConfig cfg, Options o) {
        if (o.fresh() && o.resuming()) {
            throw new StartStateException("--fresh and --resume/--force-resume exclude each other");
        }
        if (o.initOptimizer() && o.initFrom() == null) {
            throw new StartStateException("--init-optimizer needs --init-from MODEL");
        }
        if (!cfg.checkpoint().enabled()) {
            if (o.resuming() || o.fresh()) {
                throw new StartStateException((o.fresh() ? "--fresh" : "--resume")
                        + " needs a checkpoint directory: set checkpoint.dir (e.g. --set checkpoint.dir=\"/path/ckpt\")");
            }
            return;
        }
        CheckpointStore store = new CheckpointStore(conf, cfg.checkpoint().dir());
        List<Path> existing = store.list();
        if (o.fresh()) {
            int n = store.deleteAll();
            if (n > 0) LOG.info("--fresh: deleted {} checkpoints in {}", n, store.dir());
        } else if (!existing.isEmpty() && !o.resuming()) {
            throw new StartStateException("checkpoint directory " + store.dir() + " already holds " + existing.size()
                    + " checkpoint(s) (newest " + existing.get(existing.size() - 1).getName()
                    + "); pass --resume to continue from it, or --fresh to delete them and start over");
        }
    }

    /** The start state after Spark is up (null = fresh parameters). */
    public static StartState resolve(Configuration conf, JobConfig cfg, Options o) {
        if (cfg.checkpoint().enabled() && o.resuming()) {
            CheckpointStore store = new CheckpointStore(conf, cfg.checkpoint().dir());
            store.cleanTemps();
            Optional<Checkpoint> c = store.newestValid();
            if (c.isPresent()) {
                checkHash(c.get(), cfg, o.forceResume(), store);
                return new StartState(c.get().state(), "checkpoint " + new Path(store.dir(), c.get().name()));
            }
            LOG.info("--resume: no valid checkpoint in {}; starting {}", store.dir(),
                    o.initFrom() == null ? "fresh" : "from " + o.initFrom());
        }
        return o.initFrom() == null ? null : warmStart(conf, cfg, o.initFrom(), o.initOptimizer());
    }

    /** The checkpoint writer for {@code cfg}, or {@link CheckpointHook#NONE} when checkpointing is off. */
    public static CheckpointHook hook(Configuration conf, JobConfig cfg) {
        if (!cfg.checkpoint().enabled()) return CheckpointHook.NONE;
        return new CheckpointWriter(new CheckpointStore(conf, cfg.checkpoint().dir()), cfg.checkpoint(),
                cfg.resolvedHocon());
    }

    static void checkHash(Checkpoint c, JobConfig cfg, boolean force, CheckpointStore store) {
        String canonical = ConfigHash.canonical(cfg.resolvedHocon());
        String hash = ConfigHash.of(cfg.resolvedHocon());
        if (hash.equals(c.configHash())) return;
        Set<String> keys = ConfigHash.differingKeys(c.configCanonical(), canonical);
        String msg = "checkpoint " + new Path(store.dir(), c.name()) + " was written with config hash "
                + c.configHash() + " but this run's config hash is " + hash + " (differing keys: " + keys + ")";
        if (!force) {
            throw new StartStateException(msg + "; resume with the same config, or pass --force-resume to resume "
                    + "anyway (the result then matches neither config's uninterrupted run)");
        }
        LOG.warn("--force-resume: {}", msg);
    }

    static StartState warmStart(Configuration conf, JobConfig cfg, String modelDir, boolean withOptimizer) {
        SavedModel m;
        try {
            m = ModelStore.load(conf, modelDir);
        } catch (ModelFormatException e) {
            throw new StartStateException("--init-from: " + e.getMessage(), e);
        }
        Scaler scaler = m.metadata().scaler();
        ScalerKind want = cfg.data().scaling();
        ScalerKind have = scaler == null ? ScalerKind.NONE : scaler.kind();
        if (want != have) {
            throw new StartStateException("--init-from model " + modelDir + " was trained with data.scaling = "
                    + have.configName() + " but this config has data.scaling = " + want.configName()
                    + "; its parameters only fit inputs scaled the same way");
        }
        byte[] opt = null;
        if (withOptimizer) {
            try {
                opt = ModelStore.loadOptimizerState(conf, modelDir);
            } catch (ModelFormatException e) {
                throw new StartStateException("--init-optimizer: " + e.getMessage(), e);
            }
            if (opt == null) {
                throw new StartStateException("--init-optimizer: model " + modelDir + " has no "
                        + ModelStore.OPTIMIZER + " (it was saved without an optimizer state)");
            }
        }
        if (scaler != null) { // issue #16 item 16: the scaler is not refitted on this run's data; say so
            LOG.warn("--init-from {}: keeping that model's {} scaler (fitted on its training data); this run's data "
                    + "is scaled with it, not refitted", modelDir, scaler.kind().configName());
        }
        return StartState.warm(TrainingState.warm(m.metadata().architecture(), m.params(), opt, scaler),
                "model " + modelDir);
    }
}
