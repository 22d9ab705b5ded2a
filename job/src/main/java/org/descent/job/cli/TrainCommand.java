package org.descent.job.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.descent.job.checkpoint.CheckpointIoException;
import org.descent.job.checkpoint.TrainStart;
import org.descent.job.config.ConfigError;
import org.descent.job.config.JobConfig;
import org.descent.job.data.ParquetPrefetch;
import org.descent.job.model.ModelFormatException;
import org.descent.job.model.ModelLease;
import org.descent.job.model.ModelMetadata;
import org.descent.job.model.ModelStore;
import org.descent.job.report.RunRecorder;
import org.descent.job.report.RunReporting;
import org.descent.job.train.DataStage;
import org.descent.job.train.InputDataException;
import org.descent.job.train.StartState;
import org.descent.job.train.StartStateException;
import org.descent.job.train.Trainer;
import org.descent.job.train.TrainingFailedException;
import org.descent.job.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train --config FILE [--set key=value]...}: validate the config (before Spark starts), load
 * the data, train, write the model directory. Exit codes: {@link ExitCodes}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model on Spark from a HOCON config and write the model directory.",
                "Exit codes: 0 ok, 2 config/usage error, 3 data/input error, 4 training failure."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--check", description = "Validate the config, print the effective settings and exit (no Spark).")
    boolean checkOnly;

    @Option(names = "--resume", description = "Continue from the newest valid checkpoint in checkpoint.dir "
            + "(starts normally when there is none).")
    boolean resume;

    @Option(names = "--force-resume", description = "Like --resume, but also when the checkpoint was written with "
            + "another config (hash mismatch).")
    boolean forceResume;

    @Option(names = "--fresh", description = "Delete the checkpoints in checkpoint.dir and start over.")
    boolean fresh;

    @Option(names = "--init-from", paramLabel = "MODEL", description = "Warm start: begin from this model directory's "
            + "parameters (same architecture and data.scaling).")
    String initFrom;

    @Option(names = "--init-optimizer", description = "With --init-from: also restore the model's optimizer.bin.")
    boolean initOptimizer;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        JobConfig cfg;
        try {
            cfg = configOptions.load();
            if (checkOnly) {
                out.println(cfg.resolvedHocon());
                return ExitCodes.OK;
            }
            ModelStore.checkWritable(new Configuration(), cfg.output().modelPath(), cfg.output().overwrite());
            TrainStart.precheck(new Configuration(), cfg, startOptions());
        } catch (ConfigError | ModelStore.ModelOutputExistsException | StartStateException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (ModelFormatException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        // one writer per model path: a second run refuses here, before Spark starts (ModelLease)
        try (ModelLease lease = ModelLease.acquire(new Configuration(), cfg.output().modelPath())) {
            return run(cfg, startOptions(), out, err);
        } catch (RuntimeException e) { // LeaseHeldException → 2, lease I/O → 4 (Failures)
            return Failures.report(err, e);
        }
    }

    TrainStart.Options startOptions() {
        return new TrainStart.Options(resume, forceResume, fresh, initFrom, initOptimizer);
    }

    static int run(JobConfig cfg, PrintWriter out, PrintWriter err) {
        return run(cfg, new TrainStart.Options(false, false, false, null, false), out, err);
    }

    static int run(JobConfig cfg, TrainStart.Options start, PrintWriter out, PrintWriter err) {
        // local mode: the input's Parquet row groups are parsed on a second thread while the session starts (issue 17)
        ParquetPrefetch prefetch = SparkSessions.local(cfg.spark()) ? DataStage.prefetch(cfg) : null;
        long sessionStart = System.nanoTime();
        try (prefetch; SparkSessions.Handle spark = SparkSessions.start(cfg.spark())) {
            double sessionSeconds = (System.nanoTime() - sessionStart) / 1e9;
            Configuration hadoop = spark.session().sparkContext().hadoopConfiguration();
            StartState startState = TrainStart.resolve(hadoop, cfg, start);
            DataStage.Input input = DataStage.load(spark.session(), cfg, prefetch);
            Trainer trainer = new Trainer(spark.session(), cfg).withStartState(startState)
                    .withCheckpointHook(TrainStart.hook(hadoop, cfg));
            TrainingResult result;
            try (RunRecorder recorder = RunReporting.attach(trainer, cfg, hadoop, out)) { // close: final report.html
                result = trainer.train(input.train(), input.validation());
            }
            // issue 17: the epochs' time beside the Spark session's own start-up, one line per fact
            out.printf(java.util.Locale.ROOT, "%d epochs in %.2f s%n", trainer.epochsRun(), trainer.epochsSeconds());
            out.printf(java.util.Locale.ROOT, "the Spark session started in %.1f s%n", sessionSeconds);
            ModelMetadata meta = new ModelMetadata(ModelMetadata.FORMAT_VERSION, result.architecture(),
                    result.params().length, result.scaler(), cfg.resolvedHocon(), result.finalMetrics(), Instant.now());
            ModelStore.save(spark.session().sparkContext().hadoopConfiguration(), cfg.output().modelPath(),
                    cfg.output().overwrite(), meta, result.params(), trainer.finalOptimizerState());
            Double best = result.finalMetrics().get("bestEpoch");
            out.println("model written to " + cfg.output().modelPath() + (best != null ? " (early stopping: best epoch "
                    + best.intValue() + " of " + result.epochs().size() + " run)" : "")); // the epoch lines above said the rest
            out.println("run directory: " + cfg.output().runDir() + " (report.html, metrics.jsonl, config.conf)");
            out.flush();
            return ExitCodes.OK;
        } catch (ModelStore.ModelOutputExistsException | RunReporting.RunDirException | StartStateException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (InputDataException e) {
            err.println("data error: " + e.getMessage());
            return ExitCodes.DATA;
        } catch (TrainingFailedException | ModelFormatException | CheckpointIoException e) {
            err.println("training failed: " + e.getMessage());
            return ExitCodes.TRAINING;
        } catch (Exception e) { // anything else, incl. an undeclared SparkException
            return Failures.report(err, e);
        } finally {
            err.flush();
        }
    }
}
