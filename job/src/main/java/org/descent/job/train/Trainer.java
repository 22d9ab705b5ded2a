package org.descent.job.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.descent.job.config.JobConfig;
import org.descent.job.config.StorageChoice;
import org.descent.job.config.TrainingConfig;
import org.descent.job.data.DataException;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowBlock;
import org.descent.job.exchange.BatchPlan;
import org.descent.job.exchange.StepEngine;
import org.descent.job.exchange.StepEngines;
import org.descent.job.exchange.StepSink;
import org.descent.job.exchange.StepTimingTotals;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Network;
import org.descent.math.optim.GradientClipping;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;
import org.descent.math.optim.Regularization;
import org.descent.math.optim.ScheduleSpec;
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
 * {@code checkpoint.every-steps} boundary for allreduce), {@link StepEngine#run} does for every step (see
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
 * After each epoch: a distributed validation pass (if there is a validation set) and one log line.
 * Same config, seed and partition count give bit-identical parameters.
 */
public final class Trainer {
    private static final Logger LOG = LogManager.getLogger(Trainer.class);

    private final SparkSession spark;
    private final JobConfig config;
    private StepListener listener = StepListener.NONE;
    private EpochListener epochListener = EpochListener.NONE;
    private boolean recordVisits;
    private boolean forceAveraging;
    private StartState start;
    private CheckpointHook checkpointHook = CheckpointHook.NONE;
    private byte[] finalOptimizerState;
    private String engineName;

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

    /** Makes every {@link StepResult} carry the ids of the rows the step used (tests; costs a long per row). */
    public Trainer recordVisits(boolean on) {
        this.recordVisits = on;
        return this;
    }

    /**
     * Runs the local-SGD model-averaging path (allreduce engine) even when {@code training.local-steps = 1}: tests
     * check that it then agrees with synchronous SGD.
     */
    public Trainer forceModelAveraging(boolean on) {
        this.forceAveraging = on;
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
        return engineName;
    }

    /** {@code Optimizer.saveState()} at the end of the last {@link #train} (null before). */
    public byte[] finalOptimizerState() {
        return finalOptimizerState;
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
        StorageLevel level = tc.storageLevel() == StorageChoice.MEMORY_ONLY
                ? StorageLevel.MEMORY_ONLY() : StorageLevel.MEMORY_AND_DISK();

        JavaRDD<RowBlock> trainBlocks = train.blocks();
        JavaRDD<RowBlock> valBlocks = validation == null ? null : validation.blocks();
        Scaler scaler = null;
        long[] partitionRows;
        try {
            jsc.setJobGroup("descent-train", "descent: prepare data", false);
            if (start != null && start.scaler() != null) { // resumed / warm start: the saved scaler, not a refit
                scaler = start.scaler();
                trainBlocks = FeatureScaling.apply(trainBlocks, scaler);
                if (valBlocks != null) valBlocks = FeatureScaling.apply(valBlocks, scaler);
            } else if (config.data().scaling() != ScalerKind.NONE) {
                jsc.setJobDescription("descent: fit " + config.data().scaling().configName() + " scaling");
                scaler = FeatureScaling.fit(trainBlocks, config.data().scaling(), train.numFeatures());
                trainBlocks = FeatureScaling.apply(trainBlocks, scaler);
                if (valBlocks != null) valBlocks = FeatureScaling.apply(valBlocks, scaler);
            }
            trainBlocks = trainBlocks.persist(level);
            if (valBlocks != null) valBlocks = valBlocks.persist(level);
            jsc.setJobDescription("descent: cache training blocks");
            partitionRows = trainBlocks.map(b -> (long) b.rows).collect().stream().mapToLong(Long::longValue).toArray();
        } catch (Exception e) { // Spark actions throw the checked SparkException undeclared
            unpersist(trainBlocks, valBlocks);
            String msg = DataException.findIn(e).map(Throwable::getMessage).orElseGet(() -> rootMessage(e));
            throw new InputDataException("cannot read the training data " + config.data().trainPath() + ": " + msg, e);
        }
        long n = 0;
        for (long r : partitionRows) n += r;
        if (n == 0) {
            unpersist(trainBlocks, valBlocks);
            throw new InputDataException("the training data " + config.data().trainPath() + " has no rows");
        }
        try {
            return loop(jsc, arch, trainBlocks, valBlocks, scaler, n, partitionRows);
        } finally {
            unpersist(trainBlocks, valBlocks);
            jsc.clearJobGroup();
        }
    }

    private TrainingResult loop(JavaSparkContext jsc, ModelArchitecture arch, JavaRDD<RowBlock> trainBlocks,
                                JavaRDD<RowBlock> valBlocks, Scaler scaler, long n, long[] partitionRows) {
        int partitions = partitionRows.length;
        TrainingConfig tc = config.training();
        int steps = BatchPlan.stepsPerEpoch(n, tc.batchSize());
        BatchPlan plan = new BatchPlan(tc.seed(), tc.epochs(), steps, tc.batchSize());
        Network network = arch.toNetwork();
        double[] params = network.initParams(config.model().init(), tc.seed());
        ScheduleSpec schedule = config.schedule().toSpec(config.optimizer().learningRate(), (long) tc.epochs() * steps);
        Optimizer optimizer = config.optimizer().spec().build(schedule);
        optimizer.init(network.layout());
        int firstEpoch = 0;
        int firstStep = 0;
        if (start != null) {
            params = StartStates.apply(start, arch, network, optimizer, steps);
            firstEpoch = start.epoch();
            firstStep = Math.min(start.step(), steps);
            LOG.info("starting from {} at epoch {} step {}", start.source(), firstEpoch + 1, firstStep + 1);
        }
        Regularization reg = new Regularization(config.regularization().l1(), config.regularization().l2(),
                config.regularization().includeBias());
        GradientClipping clip = config.clipping().enabled()
                ? GradientClipping.byNorm(config.clipping().maxNorm()) : GradientClipping.none();
        MiniBatchUpdate update = new MiniBatchUpdate(reg, clip);
        LOG.info("training: {} rows in {} partitions, batch {}, {} steps/epoch, {} epochs, {} params, optimizer {}, "
                + "precision {}", n, partitions, tc.batchSize(), steps, tc.epochs(), network.numParams(),
                optimizer.name(), tc.precision());

        List<EpochReport> reports = new ArrayList<>(start == null ? List.of() : start.completed());
        Map<String, Double> finalMetrics = new LinkedHashMap<>();
        EarlyStopping stopper = tc.earlyStopping().enabled() && valBlocks != null
                ? new EarlyStopping(tc.earlyStopping()) : null;
        double[] bestParams = null;
        Map<String, Double> bestMetrics = null;
        epochListener.onStart(tc.epochs(), steps, n);
        StepTimingTotals timing = new StepTimingTotals();
        StepEngines.Spec engineSpec = new StepEngines.Spec(tc.exchange(), tc.localSteps(), tc.precision(),
                config.optimizer().spec(), schedule, update, recordVisits, forceAveraging);
        StepEngine engine;
        try {
            engine = StepEngines.create(jsc, trainBlocks, partitionRows, arch, plan, network, engineSpec);
        } catch (IllegalStateException e) {
            throw new TrainingFailedException(e.getMessage(), e);
        }
        engineName = engine.name();
        LOG.info("exchange: {}", engineName);
        try (engine;
             // Validation always in float64 (the Evaluator's default workspace), whatever training.precision
             // says: validation metrics, early stopping and the best-epoch choice stay comparable across runs
             // of either precision.
             Evaluator evaluator = new Evaluator(jsc, arch)) {
            for (int epoch = firstEpoch; epoch < tc.epochs(); epoch++) {
                long t0 = System.nanoTime();
                boolean resumed = start != null && epoch == firstEpoch;
                EpochTally tally = new EpochTally(resumed ? start.lossWeighted() : 0, resumed ? start.rowsSeen() : 0);
                timing.reset();
                StepSink sink = (ep, s, r, o) -> {
                    if (o.status() != MiniBatchUpdate.Status.OK) {
                        throw diverged(ep, s, steps, o.learningRate(), o.loss(), o.gradNorm(),
                                o.status() == MiniBatchUpdate.Status.NON_FINITE_LOSS
                                        ? "the loss or gradient is not finite" : "the parameters became non-finite");
                    }
                    timing.add(r.timing(), r.rows());
                    tally.add(o, r.rows());
                    listener.onStep(ep, s, r, o.loss(), o.gradNorm());
                };
                int step = resumed ? firstStep : 0;
                while (step < steps) {
                    int end = engine.segmentEnd(epoch, step, steps, checkpointHook.stateEvery());
                    try {
                        engine.run(epoch, step, end, params, optimizer, sink);
                    } catch (TrainingFailedException e) {
                        throw e;
                    } catch (Exception e) { // includes the undeclared, checked SparkException
                        if (DataException.findIn(e).isPresent()) {
                            throw new InputDataException(DataException.findIn(e).get().getMessage(), e);
                        }
                        throw new TrainingFailedException("step failed at epoch " + (epoch + 1) + "/" + tc.epochs()
                                + " step " + (step + 1) + "/" + steps + ": " + rootMessage(e), e);
                    }
                    step = end;
                    long done = (long) epoch * steps + step;
                    checkpointHook.afterStep(new CheckpointHook.Snapshot(arch, epoch, step, steps, tc.epochs(), done,
                            params, optimizer, scaler, tally.lossWeighted, tally.rowsSeen, reports, n));
                }
                double lossWeighted = tally.lossWeighted;
                long rowsSeen = tally.rowsSeen;
                double lr = tally.lr;
                double norm = tally.norm;
                if (Double.isNaN(lr)) lr = optimizer.learningRate((long) epoch * steps + steps - 1); // resumed after the last step
                double trainLoss = lossWeighted / rowsSeen;
                double vLoss = Double.NaN;
                double vMetric = Double.NaN;
                String metricName = arch.isClassifier() ? "accuracy" : "rmse";
                finalMetrics.clear();
                finalMetrics.put("trainLoss", trainLoss);
                if (valBlocks != null) {
                    EvalAccumulator v = evaluator.evaluate(valBlocks, params,
                            "descent epoch " + (epoch + 1) + "/" + tc.epochs() + " validation");
                    vLoss = v.meanLoss();
                    vMetric = v.metric();
                    finalMetrics.putAll(v.asMap("validation"));
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                EpochReport rep = new EpochReport(epoch, tc.epochs(), trainLoss, vLoss, vMetric, metricName, secs,
                        rowsSeen / secs, lr, norm);
                reports.add(rep);
                LOG.info(rep.line());
                LOG.info("epoch {}/{} step time: {}", epoch + 1, tc.epochs(), timing.summary());
                epochListener.onEpoch(rep, Map.copyOf(finalMetrics), params, (long) (epoch + 1) * steps);
                checkpointHook.afterEpoch(new CheckpointHook.Snapshot(arch, epoch + 1, 0, steps, tc.epochs(),
                        (long) (epoch + 1) * steps, params, optimizer, scaler, 0.0, 0L, reports, n));
                if (stopper != null) {
                    EarlyStopping.Decision d = stopper.offer(epoch, finalMetrics.getOrDefault(
                            tc.earlyStopping().metric().key(), Double.NaN));
                    if (d == EarlyStopping.Decision.IMPROVED) {
                        bestParams = params.clone();
                        bestMetrics = new LinkedHashMap<>(finalMetrics);
                    } else if (d == EarlyStopping.Decision.STOP) {
                        LOG.info("early stopping after epoch {}: {} did not improve for {} epochs",
                                epoch + 1, tc.earlyStopping().metric().configName(), stopper.patience());
                        break;
                    }
                }
            }
        }
        finalOptimizerState = optimizer.saveState();
        if (bestParams != null) { // early stopping: the best epoch's parameters, not the last ones
            params = bestParams;
            finalMetrics.clear();
            finalMetrics.putAll(bestMetrics);
            finalMetrics.put("bestEpoch", (double) (stopper.bestEpoch() + 1));
            LOG.info("keeping the model of epoch {} ({} = {})", stopper.bestEpoch() + 1,
                    tc.earlyStopping().metric().configName(), stopper.bestValue());
        }
        finalMetrics.put("epochs", (double) reports.size());
        finalMetrics.put("stepsPerEpoch", (double) steps);
        finalMetrics.put("trainRows", (double) n);
        return new TrainingResult(arch, params, scaler, reports, finalMetrics, n, steps);
    }

    private TrainingFailedException diverged(int epoch, int step, int steps, double lr, double loss, double norm,
                                             String what) {
        return new TrainingFailedException(String.format(java.util.Locale.ROOT,
                "training diverged at epoch %d/%d step %d/%d: %s (loss %s, gradient norm %s, learning rate %g); "
                        + "no model is written; try a lower optimizer.learning-rate (e.g. a tenth), enable gradient clipping "
                        + "(clipping.max-norm = 1.0) or set data.scaling = standard",
                epoch + 1, config.training().epochs(), step + 1, steps, what, loss, norm, lr));
    }

    /** An epoch's running training loss and row count, and its last step's rate and norm (filled by the step sink). */
    private static final class EpochTally {
        double lossWeighted;
        long rowsSeen;
        double lr = Double.NaN;
        double norm = Double.NaN;

        EpochTally(double lossWeighted, long rowsSeen) {
            this.lossWeighted = lossWeighted;
            this.rowsSeen = rowsSeen;
        }

        void add(MiniBatchUpdate.Outcome o, long rows) {
            lossWeighted += o.loss() * rows;
            rowsSeen += rows;
            lr = o.learningRate();
            norm = o.gradNorm();
        }
    }

    private static void unpersist(JavaRDD<RowBlock> a, JavaRDD<RowBlock> b) {
        try {
            a.unpersist(false);
            if (b != null) b.unpersist(false);
        } catch (Exception ignored) {
            // the context may already be gone
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return t == e ? String.valueOf(m) : e.getMessage() + (m != null && !e.getMessage().contains(m) ? " (cause: " + m + ")" : "");
    }
}
