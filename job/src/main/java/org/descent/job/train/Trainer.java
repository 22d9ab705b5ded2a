package org.descent.job.train;

import java.util.List;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.descent.job.config.JobConfig;
import org.descent.job.config.TrainingConfig;
import org.descent.job.data.DataException;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowBlock;
import org.descent.job.data.Storage;
import org.descent.job.exchange.BatchPlan;
import org.descent.job.exchange.StepEngine;
import org.descent.job.exchange.StepEngines;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.score.HeldValidation;
import org.descent.math.optim.GradientClipping;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;
import org.descent.math.optim.Regularization;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;

/**
 * The synchronous data-parallel training loop.
 *
 * <p>Call order: {@link #train} does, once: build the network from {@code model.*} and the data's
 * counts; fit feature scaling in one distributed pass (if configured) and scale the blocks; cache the
 * blocks and count rows per partition; initialise parameters from {@code training.seed}; pick the
 * {@link StepEngine} ({@code training.exchange}, {@link StepEngines}); then for every epoch, segment by segment
 * ({@link StepEngine#segmentEnd}: one step for broadcast-collect, up to the epoch's end or the next
 * {@code checkpoint.every-steps} boundary for allreduce; or all epochs in one {@link StepEngine#runEpochs} when the
 * allreduce engine can and the driver needs nothing between epochs), {@link StepEngine#run} does for every step (see
 * {@link BatchPlan} for which rows a step uses):
 * <ol>
 *   <li>gradient SUM, loss sum and row count n of the step over all partitions, summed in partition order;</li>
 *   <li>{@link MiniBatchUpdate}: {@code g = gradSum / n}; {@code g += dR/dw} and {@code loss = lossSum / n + R(w)}
 *       ({@link Regularization}); clip g to {@code clipping.max-norm} ({@link GradientClipping}, the pre-clip norm
 *       is reported); {@link Optimizer#step} with global step index {@code t = epoch * S + step};</li>
 *   <li>the driver's step sink: a non-finite loss, norm or parameters stop the run (no model is written); the
 *       step goes to the progress listeners.</li>
 * </ol>
 * After each segment the driver holds the exact parameters and optimizer state (the checkpoint hook sees them).
 * After each epoch: a validation pass (if there is a validation set; in local mode the allreduce ranks score it at the
 * epoch's end, else driver threads, {@link HeldValidation}; in cluster mode a Spark job, or the driver for a small set)
 * and one log line.
 * Same config, seed and partition count give bit-identical parameters.
 */
public final class Trainer {
    private static final Logger LOG = LogManager.getLogger(Trainer.class);
    /**
     * In cluster mode, validation sets of up to this many stored values (8 MB in float64) are held and scored on the
     * driver after each epoch instead of by a Spark job (issue 17: per-epoch overhead of small jobs); the figures are
     * the same bits. In local mode the driver's JVM holds the validation set whatever its size (the tasks already
     * keep it in this JVM): {@link HeldValidation}.
     */
    static final long DRIVER_VALIDATION_VALUES = 1L << 20;

    private final SparkSession spark;
    private final JobConfig config;
    private StepListener listener = StepListener.NONE;
    private EpochListener epochListener = EpochListener.NONE;
    private StartState start;
    private CheckpointHook checkpointHook = CheckpointHook.NONE;
    private TrainingRun lastRun;

    public Trainer(SparkSession spark, JobConfig config) {
        this.spark = spark;
        this.config = config;
    }

    /** Called on the driver after every step. */
    public Trainer withStepListener(StepListener l) {
        this.listener = l;
        return this;
    }

    /** Called on the driver before the first step and after every epoch (run directory, progress, tests). */
    public Trainer withEpochListener(EpochListener l) {
        this.epochListener = l;
        return this;
    }

    /** Starts from a checkpoint or warm-start model instead of fresh parameters (null = fresh). */
    public Trainer withStartState(StartState s) {
        this.start = s;
        return this;
    }

    /** Called after every step and epoch with the resumable state (checkpointing). */
    public Trainer withCheckpointHook(CheckpointHook h) {
        this.checkpointHook = h;
        return this;
    }

    /** The exchange engine the last {@link #train} used, e.g. "allreduce" (null before). */
    public String engineName() {
        return lastRun == null ? null : lastRun.engineName();
    }

    /**
     * {@code Optimizer.saveState()} that belongs to the last {@link #train}'s result parameters (null before): the
     * final state, or with early stopping the state after the kept best epoch.
     */
    public byte[] finalOptimizerState() {
        return lastRun == null ? null : lastRun.resultOptimizerState();
    }

    /** Epochs the last {@link #train} ran in this process (0 before; a resumed run's earlier epochs not counted). */
    public int epochsRun() {
        return lastRun == null ? 0 : lastRun.epochsRun();
    }

    /**
     * Seconds of the last {@link #train}'s epochs in this process: from the first epoch's start (the exchange engine's
     * start included) to the end of the last epoch (its validation and report included).
     */
    public double epochsSeconds() {
        return lastRun == null ? 0 : lastRun.epochsSeconds();
    }

    /** Trains on {@code train}, validating on {@code validation} (null = no validation) after each epoch. */
    public TrainingResult train(LoadedData train, LoadedData validation) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TrainingConfig tc = config.training();
        ModelArchitecture arch = ModelFactory.build(config.model(), train.numFeatures(), train.numClasses());
        if (validation != null && validation.numFeatures() != train.numFeatures()) {
            throw new InputDataException("the validation data has " + validation.numFeatures()
                    + " features but the training data has " + train.numFeatures());
        }
        LOG.info("model: {}", arch.describe());
        StorageLevel level = switch (tc.storageLevel()) {
            case MEMORY_ONLY -> StorageLevel.MEMORY_ONLY();
            case MEMORY_AND_DISK -> StorageLevel.MEMORY_AND_DISK();
            case MEMORY_AND_DISK_SER -> StorageLevel.MEMORY_AND_DISK_SER();
        };

        long prepareStart = System.currentTimeMillis();
        TrainingRun.Data prepared = prepare(jsc, arch, train, validation, level, prepareStart);
        JavaRDD<RowBlock> trainBlocks = prepared.train();
        JavaRDD<RowBlock> valBlocks = prepared.validation();
        long n = prepared.rows();
        try (HeldValidation held = prepared.heldValidation()) {
            if (n == 0) throw new InputDataException("the training data " + config.data().trainPath() + " has no rows");
            lastRun = new TrainingRun(spark, config, arch, prepared,
                    new TrainingRun.Observers(listener, epochListener, checkpointHook), start);
            return lastRun.run();
        } finally {
            unpersist(trainBlocks, valBlocks);
            jsc.clearJobGroup();
        }
    }

    /**
     * Fits the scaler (or takes the saved one), packs the training and validation blocks in their stored form, caches
     * both in one job, hands the validation set to the driver (local mode, or a small set; then its RDD is unpersisted:
     * one copy), frees the parsed rows; on failure unpersists what was cached and throws {@link InputDataException}.
     */
    private TrainingRun.Data prepare(JavaSparkContext jsc, ModelArchitecture arch, LoadedData train,
                                     LoadedData validation, StorageLevel level, long prepareStart) {
        JavaRDD<RowBlock> trainBlocks = null;
        JavaRDD<RowBlock> valBlocks = null;
        HeldValidation held = null;
        Scaler scaler = null;
        long[] partitionRows;
        boolean sparse;
        long t0 = System.nanoTime();
        try {
            jsc.setJobGroup("descent-train", "descent: prepare data", false);
            if (start != null && start.state().scaler() != null) { // resumed / warm start: the saved scaler, not a refit
                scaler = start.state().scaler();
            } else if (config.data().scaling() != ScalerKind.NONE) {
                jsc.setJobDescription("descent: fit " + config.data().scaling().configName() + " scaling");
                scaler = FeatureScaling.fit(train.blocks(), config.data().scaling(), train.numFeatures());
            }
            long fitted = System.nanoTime();
            Storage storage = DataStage.storage(config);
            // the blocks packed straight into their cached form (scaled, float32 or not): one copy per block
            trainBlocks = train.stored(scaler, storage).persist(level);
            if (validation != null) valBlocks = validation.stored(scaler, storage).persist(level);
            // one job caches both (the validation blocks too, so the parsed rows are freed before the first step)
            jsc.setJobDescription("descent: cache training" + (valBlocks == null ? "" : " and validation") + " blocks");
            JavaRDD<RowBlock> both = valBlocks == null ? trainBlocks : trainBlocks.union(valBlocks);
            List<long[]> all = both.map(b -> new long[] {b.rows, b.cachedBytes(), b.storedValues(), b.isSparse() ? 1 : 0,
                            b.isCoded() ? 1 : 0})
                    .collect();
            List<long[]> sizes = all.subList(0, trainBlocks.getNumPartitions());
            long validationValues = 0;
            for (long[] s : all.subList(sizes.size(), all.size())) validationValues += s[2];
            boolean local = jsc.sc().isLocal();
            if (valBlocks != null && (local || validationValues <= DRIVER_VALIDATION_VALUES)) {
                jsc.setJobDescription("descent: validation blocks to the driver");
                // local mode: the task slots score it (the ranks at epoch ends, else driver threads); cluster: one thread
                held = new HeldValidation(arch, config.training().precision(), TrainingRun.VALIDATION_KEEP_VALUES,
                        HeldValidation.handOver(jsc, valBlocks), local ? jsc.defaultParallelism() : 1);
                valBlocks.unpersist(false);
                valBlocks = null;
            }
            partitionRows = sizes.stream().mapToLong(s -> s[0]).toArray();
            sparse = sizes.stream().anyMatch(s -> s[3] == 1);
            logCache(sizes, storage, train.numFeatures());
            LOG.info("prepared in {} s: scaling fit {} s, pack + cache {} s", seconds(t0, System.nanoTime()),
                    seconds(t0, fitted), seconds(fitted, System.nanoTime()));
        } catch (Exception e) { // Spark actions throw the checked SparkException undeclared
            unpersist(trainBlocks, valBlocks);
            if (held != null) held.close();
            String msg = DataException.findIn(e).map(Throwable::getMessage).orElseGet(() -> rootMessage(e));
            throw new InputDataException("cannot read the training data " + config.data().trainPath() + ": " + msg, e);
        } finally {
            train.release();
            if (validation != null) validation.release();
        }
        long n = 0;
        for (long r : partitionRows) n += r;
        return new TrainingRun.Data(trainBlocks, valBlocks, held, scaler, n, partitionRows, sparse, prepareStart,
                System.currentTimeMillis());
    }

    /**
     * Logs the cached bytes of the training blocks, per row and against the row's feature values, and how many blocks
     * hold one-byte codes (dense values with at most 256 distinct values: RowBlock#isCoded, automatic).
     */
    private static void logCache(List<long[]> sizes, Storage storage, int numFeatures) {
        long rows = 0, bytes = 0, values = 0, coded = 0;
        for (long[] s : sizes) {
            rows += s[0];
            bytes += s[1];
            values += s[2];
            coded += s[4];
        }
        LOG.info("cache: {} training rows in {} blocks, {} bytes ({} per row; {} stored values of {} bytes: {} x"
                        + " their size with labels and ids; {} coded, one byte a value)", rows, sizes.size(), bytes,
                String.format(java.util.Locale.ROOT, "%.1f", rows == 0 ? 0.0 : (double) bytes / rows), values,
                storage.bytesPerValue(), String.format(java.util.Locale.ROOT, "%.3f",
                        values == 0 ? 0.0 : (double) bytes / ((double) values * storage.bytesPerValue())), coded);
    }

    private static String seconds(long from, long to) {
        return String.format(java.util.Locale.ROOT, "%.2f", (to - from) / 1e9);
    }

    private static void unpersist(JavaRDD<RowBlock> a, JavaRDD<RowBlock> b) {
        try {
            if (a != null) a.unpersist(false);
            if (b != null) b.unpersist(false);
        } catch (Exception e) { // the context may already be gone
            LOG.debug("could not unpersist the training blocks: {}", e.toString());
        }
    }

    /** The message of {@code e} and, if different, of its root cause (for one-line errors). */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return t == e ? String.valueOf(m) : e.getMessage() + (m != null && !e.getMessage().contains(m) ? " (cause: " + m + ")" : "");
    }
}
