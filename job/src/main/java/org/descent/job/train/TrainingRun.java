package org.descent.job.train;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.descent.job.config.JobConfig;
import org.descent.job.config.TrainingConfig;
import org.descent.job.data.DataException;
import org.descent.job.data.RowBlock;
import org.descent.job.exchange.AllReduceEngine;
import org.descent.job.exchange.BatchPlan;
import org.descent.job.exchange.StepEngine;
import org.descent.job.exchange.StepEngines;
import org.descent.job.exchange.StepFigures;
import org.descent.job.exchange.StepSink;
import org.descent.job.exchange.StepTimingTotals;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.score.HeldValidation;
import org.descent.job.score.Scorer;
import org.descent.math.nn.Network;
import org.descent.math.optim.GradientClipping;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;
import org.descent.math.optim.Regularization;
import org.descent.math.optim.ScheduleSpec;
import org.descent.math.scale.Scaler;

/**
 * One {@link Trainer#train} call after the data is prepared: the parameters, optimizer and engine of the run, and the
 * epoch loop. Call order: {@link #run} once: pick the engine, then per epoch {@link #runSteps} (segment by segment,
 * each followed by a checkpoint point), {@link #validate}, {@link #endEpoch} (report, listeners, checkpoint point,
 * early stopping); or, when the engine can run all epochs at once ({@link #spans}), the same per-epoch work at each
 * epoch end it reports ({@link #runSpanning}); then {@link #result}.
 */
final class TrainingRun {
    private static final Logger LOG = LogManager.getLogger(TrainingRun.class);
    /**
     * Feature values of the validation blocks each partition keeps laid out for the forward pass between epochs
     * (2^23: 64 MB in float64, 32 MB in float32 per partition; e.g. a 10k x 784 validation set in 2 partitions):
     * the row copy is then paid once, not per epoch. Larger partitions are read from the cached blocks every epoch.
     */
    static final long VALIDATION_KEEP_VALUES = 1L << 23;

    /**
     * The prepared (scaled, cached) data of the run; the validation set, if any, either held in the driver's JVM
     * ({@code heldValidation}: local mode, or small enough to score on the driver; then {@code validation} is null) or
     * as cached blocks scored by a Spark job per epoch ({@code validation}); {@code sparse}: the training blocks are
     * CSR; when the preparation started and ended (wall-clock ms).
     */
    record Data(JavaRDD<RowBlock> train, JavaRDD<RowBlock> validation, HeldValidation heldValidation, Scaler scaler,
                long rows, long[] partitionRows, boolean sparse, long prepareStart, long prepareEnd) {
        boolean hasValidation() {
            return validation != null || heldValidation != null;
        }
    }

    /** Who is told what during the run. */
    record Observers(StepListener steps, EpochListener epochs, CheckpointHook checkpoints) {}

    private final SparkSession spark;
    private final JobConfig config;
    private final TrainingConfig tc;
    private final ModelArchitecture arch;
    private final Data data;
    private final Observers observers;
    private final StartState start;
    private final int steps;
    private final BatchPlan plan;
    private final Network network;
    private final ScheduleSpec schedule;
    private final Optimizer optimizer;
    private final MiniBatchUpdate update;
    private double[] params;
    private final List<EpochReport> reports = new ArrayList<>();
    private final Map<String, Double> finalMetrics = new LinkedHashMap<>();
    private final StepTimingTotals timing = new StepTimingTotals();
    private final EarlyStopping stopper;
    private Best best;
    private String engineName;
    /** When this process's part of the run started, and the run's time before it (resumed runs). */
    private long runStart;
    private double elapsedBefore;
    private byte[] resultOptimizerState;
    private boolean firstStepLogged;
    /** This process's epochs: how many ended, and the nanoTime from the first one's start to the last one's end. */
    private int epochsRun;
    private long epochsNanos;
    private long firstEpochStart;

    /** The kept epoch under early stopping: its parameters, metrics and optimizer state. */
    private record Best(double[] params, Map<String, Double> metrics, byte[] optimizerState) {}

    TrainingRun(SparkSession spark, JobConfig config, ModelArchitecture arch, Data data, Observers observers,
                StartState start) {
        this.spark = spark;
        this.config = config;
        this.tc = config.training();
        this.arch = arch;
        this.data = data;
        this.observers = observers;
        this.start = start;
        this.steps = BatchPlan.stepsPerEpoch(data.rows(), tc.batchSize());
        this.plan = new BatchPlan(tc.seed(), tc.epochs(), steps, tc.batchSize());
        this.network = arch.toNetwork();
        this.schedule = config.schedule().toSpec(config.optimizer().learningRate(), (long) tc.epochs() * steps);
        this.optimizer = config.optimizer().spec().build(schedule);
        optimizer.init(network.layout());
        this.params = start == null ? network.initParams(config.model().init(), tc.seed())
                : StartStates.apply(start, arch, network, optimizer, steps);
        Regularization reg = new Regularization(config.regularization().l1(), config.regularization().l2(),
                config.regularization().includeBias());
        GradientClipping clip = config.clipping().enabled()
                ? GradientClipping.byNorm(config.clipping().maxNorm()) : GradientClipping.none();
        this.update = new MiniBatchUpdate(reg, clip);
        this.stopper = tc.earlyStopping().enabled() && data.hasValidation()
                ? new EarlyStopping(tc.earlyStopping()) : null;
        if (start != null) reports.addAll(start.state().completed());
    }

    String engineName() {
        return engineName;
    }

    byte[] resultOptimizerState() {
        return resultOptimizerState;
    }

    /** Epochs this process ran (a resumed run's earlier ones not counted). */
    int epochsRun() {
        return epochsRun;
    }

    /** Seconds from the start of this process's first epoch (the engine's start included) to the end of its last. */
    double epochsSeconds() {
        return epochsNanos / 1e9;
    }

    TrainingResult run() {
        runStart = System.nanoTime();
        elapsedBefore = reports.isEmpty() ? 0 : reports.get(reports.size() - 1).elapsedSeconds();
        int firstEpoch = start == null ? 0 : start.state().epoch();
        int firstStep = start == null ? 0 : Math.min(start.state().step(), steps);
        if (start != null) LOG.info("starting from {} at epoch {} step {}", start.source(), firstEpoch + 1, firstStep + 1);
        LOG.info("training: {} rows in {} partitions, batch {}, {} steps/epoch, {} epochs, {} params, optimizer {}, "
                + "precision {}", data.rows(), data.partitionRows().length, tc.batchSize(), steps, tc.epochs(),
                network.numParams(), optimizer.name(), tc.precision());
        if (!reports.isEmpty()) observers.epochs().onHistory(List.copyOf(reports));
        observers.epochs().onStart(tc.epochs(), steps, data.rows());
        long epochStart = System.nanoTime(); // the first epoch's time includes the engine's start
        firstEpochStart = epochStart;
        StepEngine engine = engine();
        try (engine;
             // Validation in the run's precision (issue 17: PyTorch evaluates in the training dtype; float32 halves the
             // GEMMs); a float64 run's figures are the bits they always were.
             EpochValidation validation = new EpochValidation(Scorer.forValidation(
                     JavaSparkContext.fromSparkContext(spark.sparkContext()), arch, tc.precision(),
                     VALIDATION_KEEP_VALUES), data, tc.epochs())) {
            if (spans(engine)) {
                runSpanning(engine, validation, firstEpoch, firstStep, epochStart);
                return result();
            }
            for (int epoch = firstEpoch; epoch < tc.epochs(); epoch++) {
                if (epoch != firstEpoch) epochStart = System.nanoTime();
                EpochTally tally = firstTally(epoch == firstEpoch);
                runSteps(engine, epoch, epoch == firstEpoch ? firstStep : 0, tally);
                if (finishEpoch(validation, epoch, tally, epochStart)) break;
            }
        }
        return result();
    }

    /** The tally an epoch starts with: a resumed epoch's sums so far, else zero. */
    private EpochTally firstTally(boolean firstOfProcess) {
        return start != null && firstOfProcess
                ? new EpochTally(start.state().lossWeighted(), start.state().rowsSeen()) : new EpochTally(0, 0);
    }

    /** An epoch's steps are done: validation ({@link EpochValidation}), report, listeners, checkpoint point; true = stop now. */
    private boolean finishEpoch(EpochValidation validation, int epoch, EpochTally tally, long epochStart) {
        return endEpoch(epoch, tally, validation.finish(epoch, tally, epochStart, params));
    }

    /**
     * Whether all epochs can run in one {@link StepEngine#runEpochs} (issue 17: one barrier job instead of one per
     * epoch): the driver needs the state at epoch ends only (no checkpoint boundary inside an epoch), validation, if
     * any, is held in the driver's JVM (a Spark job could not run beside the barrier job), the engine can stream the
     * state's size, and {@link AllReduceEngine#SPAN_KEY} is not false.
     */
    private boolean spans(StepEngine engine) {
        long every = observers.checkpoints().stateEvery();
        boolean wanted = !"false".equalsIgnoreCase(setting(AllReduceEngine.SPAN_KEY, "true"));
        return wanted && data.validation() == null
                && (every <= 0 || every % steps == 0) && engine.spansEpochs(params, optimizer);
    }

    /**
     * The epochs in one engine run: the same steps, checkpoint points, validation, reports and early stopping as the
     * epoch loop, done at each epoch end the engine reports (while it runs the next epoch) from the state it sets.
     */
    private void runSpanning(StepEngine engine, EpochValidation validation, int firstEpoch, int firstStep, long firstEpochStart) {
        EpochTally[] tally = {firstTally(true)};
        long[] epochStart = {firstEpochStart};
        int[] next = {firstEpoch, firstStep}; // the next step, for the error message
        timing.reset();
        StepSink sink = stepSink(() -> tally[0]);
        StepSink counting = (ep, s, f) -> {
            sink.onStep(ep, s, f);
            next[0] = s + 1 == steps ? ep + 1 : ep;
            next[1] = s + 1 == steps ? 0 : s + 1;
        };
        StepEngine.EpochEnd end = epoch -> {
            try {
                checkpointPoint(epoch, steps, tally[0].lossWeighted, tally[0].rowsSeen, false);
                // the driver's view: from the previous epoch's end to this one's (the epochs' times never overlap,
                // so a busy driver that gets epoch ends in a burst reports short epochs after a long one)
                boolean stop = finishEpoch(validation, epoch, tally[0], epochStart[0]);
                // the ranks went on with the next epoch when they had validated this one, else now
                epochStart[0] = tally[0].ranksValidationEnd != 0 ? tally[0].ranksValidationEnd : System.nanoTime();
                tally[0] = new EpochTally(0, 0);
                timing.reset();
                return !stop;
            } catch (RuntimeException e) { // a checkpoint or listener failure: passed on as it is
                throw new EpochEndFailure(e);
            }
        };
        try {
            engine.runEpochs(firstEpoch, firstStep, tc.epochs(), params, optimizer, counting, end);
        } catch (EpochEndFailure e) {
            throw e.getCause();
        } catch (Exception e) {
            throw stepFailure(e, next[0], next[1]);
        }
    }

    /** Carries an exception of the epoch-end work through the engine unchanged. */
    private static final class EpochEndFailure extends RuntimeException {
        EpochEndFailure(RuntimeException cause) {
            super(cause);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
        }
    }

    /**
     * A {@code spark.descent.*} setting from the SparkContext's conf (the application's settings: the config's
     * {@code spark} block, {@code --conf}). Not {@code spark.conf()}: its first use builds the SQL session state,
     * 0.2-0.5 s that a run reading LIBSVM or CSV never needs otherwise (issue 17, small jobs).
     */
    private String setting(String key, String fallback) {
        return spark.sparkContext().conf().get(key, fallback).trim();
    }

    private StepEngine engine() {
        String transport = setting(AllReduceEngine.TRANSPORT_KEY, "auto");
        StepEngines.Spec spec = new StepEngines.Spec(tc.exchange(), tc.localSteps(), tc.precision(),
                config.optimizer().spec(), schedule, update, "tcp".equalsIgnoreCase(transport.trim()), data.sparse());
        StepEngine engine;
        try {
            engine = StepEngines.create(JavaSparkContext.fromSparkContext(spark.sparkContext()), data.train(),
                    data.partitionRows(), arch, plan, network, spec);
        } catch (IllegalStateException e) {
            throw new TrainingFailedException(e.getMessage(), e);
        }
        engineName = engine.name();
        if (engine instanceof AllReduceEngine a && data.heldValidation() != null) {
            a.scoreAtEpochEnds(data.heldValidation().atEpochEnds()); // local mode: the ranks validate (issue 17)
        }
        LOG.info("exchange: {}", engineName);
        return engine;
    }

    /** Steps {@code [step, S)} of {@code epoch}, segment by segment, each followed by a checkpoint point. */
    private void runSteps(StepEngine engine, int epoch, int step, EpochTally tally) {
        timing.reset();
        StepSink sink = stepSink(() -> tally);
        while (step < steps) {
            int end = engine.segmentEnd(epoch, step, steps, observers.checkpoints().stateEvery());
            try {
                engine.run(epoch, step, end, params, optimizer, sink);
            } catch (Exception e) { // includes the undeclared, checked SparkException
                throw stepFailure(e, epoch, step);
            }
            step = end;
            checkpointPoint(epoch, step, tally.lossWeighted, tally.rowsSeen, false);
        }
    }

    /** The driver's step sink: stops a diverged run, counts the step into the epoch's tally, tells the listeners. */
    private StepSink stepSink(java.util.function.Supplier<EpochTally> tally) {
        return (ep, s, f) -> {
            if (!f.ok()) throw diverged(ep, s, f);
            timing.add(f);
            tally.get().add(f);
            if (!firstStepLogged) {
                firstStepLogged = true;
                LOG.info(StartupClock.line(data.prepareStart(), data.prepareEnd(), System.currentTimeMillis()));
            }
            observers.steps().onStep(ep, s, f);
        };
    }

    /** What a failed engine run throws: a diverged run as it is, bad data as such, else "step failed at ...". */
    private RuntimeException stepFailure(Exception e, int epoch, int step) {
        if (e instanceof TrainingFailedException t) return t;
        if (DataException.findIn(e).isPresent()) {
            return new InputDataException(DataException.findIn(e).get().getMessage(), e);
        }
        return new TrainingFailedException("step failed at epoch " + (epoch + 1) + "/" + tc.epochs() + " step "
                + (step + 1) + "/" + steps + ": " + Trainer.rootMessage(e), e);
    }

    /** Offers the state at cursor {@code (epoch, step)} to the checkpoint hook. */
    private void checkpointPoint(int epoch, int step, double lossWeighted, long rowsSeen, boolean epochEnd) {
        CheckpointHook hook = observers.checkpoints();
        if (!hook.wants(epoch, step, steps, tc.epochs(), epochEnd)) return;
        hook.save(new TrainingState(arch, epoch, step, steps, tc.epochs(), data.rows(), lossWeighted, rowsSeen,
                params, optimizer.saveState(), data.scaler(), reports));
    }

    /** The epoch's report, listeners, checkpoint point and early-stopping decision; true = stop now. */
    private boolean endEpoch(int epoch, EpochTally tally, Map<String, Double> metrics) {
        double lr = Double.isNaN(tally.lr)
                ? optimizer.learningRate((long) epoch * steps + steps - 1) // resumed after the last step
                : tally.lr;
        String metricName = arch.isClassifier() ? "accuracy" : "rmse";
        double vLoss = metrics.getOrDefault("validationLoss", Double.NaN);
        double vMetric = metrics.getOrDefault(arch.isClassifier() ? "validationAccuracy" : "validationRmse", Double.NaN);
        double secs = tally.trainSeconds + tally.validationSeconds;
        EpochReport rep = new EpochReport(epoch, tc.epochs(), tally.trainLoss(), vLoss, vMetric, metricName, secs,
                tally.trainSeconds, tally.validationSeconds, tally.rowsSeen / tally.trainSeconds, lr, tally.norm,
                metrics, Instant.now(), elapsedBefore + (System.nanoTime() - runStart) / 1e9);
        reports.add(rep);
        finalMetrics.clear();
        finalMetrics.putAll(metrics);
        LOG.info(rep.line());
        LOG.info("epoch {}/{} step time: {}", epoch + 1, tc.epochs(), timing.summary());
        observers.epochs().onEpoch(rep, Map.copyOf(metrics), params, (long) (epoch + 1) * steps);
        epochsRun++;
        epochsNanos = System.nanoTime() - firstEpochStart;
        checkpointPoint(epoch + 1, 0, 0.0, 0L, true);
        if (stopper == null) return false;
        EarlyStopping.Decision d = stopper.offer(epoch, metrics.getOrDefault(tc.earlyStopping().metric().key(),
                Double.NaN));
        if (d == EarlyStopping.Decision.IMPROVED) {
            best = new Best(params.clone(), new LinkedHashMap<>(metrics), optimizer.saveState());
        } else if (d == EarlyStopping.Decision.STOP) {
            LOG.info("early stopping after epoch {}: {} did not improve for {} epochs",
                    epoch + 1, tc.earlyStopping().metric().configName(), stopper.patience());
            return true;
        }
        return false;
    }

    private TrainingResult result() {
        resultOptimizerState = optimizer.saveState();
        if (best != null) { // early stopping: the best epoch's parameters and optimizer state, not the last ones
            params = best.params();
            resultOptimizerState = best.optimizerState();
            finalMetrics.clear();
            finalMetrics.putAll(best.metrics());
            finalMetrics.put("bestEpoch", (double) (stopper.bestEpoch() + 1));
            LOG.info("keeping the model of epoch {} ({} = {})", stopper.bestEpoch() + 1,
                    tc.earlyStopping().metric().configName(), stopper.bestValue());
        }
        finalMetrics.put("epochs", (double) reports.size());
        finalMetrics.put("stepsPerEpoch", (double) steps);
        finalMetrics.put("trainRows", (double) data.rows());
        return new TrainingResult(arch, params, data.scaler(), reports, finalMetrics, data.rows(), steps);
    }

    private TrainingFailedException diverged(int epoch, int step, StepFigures f) {
        String what = f.status() == MiniBatchUpdate.Status.NON_FINITE_LOSS
                ? "the loss or gradient is not finite" : "the parameters became non-finite";
        return new TrainingFailedException(String.format(Locale.ROOT,
                "training diverged at epoch %d/%d step %d/%d: %s (loss %s, gradient norm %s, learning rate %g); "
                        + "no model is written; try a lower optimizer.learning-rate (e.g. a tenth), enable gradient clipping "
                        + "(clipping.max-norm = 1.0) or set data.scaling = standard",
                epoch + 1, tc.epochs(), step + 1, steps, what, f.loss(), f.gradNorm(), f.learningRate()));
    }
}
