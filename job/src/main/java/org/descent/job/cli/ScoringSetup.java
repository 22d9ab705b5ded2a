package org.descent.job.cli;

import java.io.PrintWriter;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.descent.job.config.ConfigError;
import org.descent.job.config.SparkSettings;
import org.descent.job.data.DataSpec;
import org.descent.job.data.ScoringBlock;
import org.descent.job.data.ScoringData;
import org.descent.job.model.ModelFormatException;
import org.descent.job.model.ModelStore;
import org.descent.job.model.SavedModel;
import org.descent.job.score.ScoringInput;

/**
 * The part evaluate and predict share. Call order: before Spark, check the {@code --set} keys, the output
 * target (when {@code out} is given), load the model and resolve the scoring {@link DataSpec}
 * (ConfigError / OutputException → {@link ExitCodes#USAGE}, ModelFormatException → {@link ExitCodes#DATA});
 * then start Spark, read the data with {@link ScoringInput#load}, persist its blocks, run the command's
 * {@link Body} and unpersist (OutputException → USAGE, anything else through {@link Commands#failRun}).
 *
 * @param target where to write, or null when the command was given no output
 */
record ScoringSetup(OutputTarget target, SavedModel model, DataSpec dataSpec) {

    /** What a scoring command does with the loaded, persisted data; returns its exit code. */
    @FunctionalInterface
    interface Body {
        int score(ScoringSetup setup, SparkSessions.Handle spark, ScoringData data, JavaRDD<ScoringBlock> blocks)
                throws Exception;
    }

    /** Runs {@code body} for {@code opts} and returns the exit code; errors are printed to {@code err}. */
    static int run(PrintWriter err, ModelOptions opts, String out, boolean overwrite, String dataFormat,
                   String appName, Body body) {
        ScoringSetup setup;
        try {
            Commands.requireDataKeys(opts.overrides);
            OutputTarget target = out != null ? OutputTarget.check(new Configuration(), out, overwrite) : null;
            SavedModel model = ModelStore.load(new Configuration(), opts.model);
            setup = new ScoringSetup(target, model, ScoringInput.spec(model, opts.data, opts.dataOverrides(dataFormat)));
        } catch (ConfigError | OutputTarget.OutputException e) {
            return Commands.fail(err, "error: ", e, ExitCodes.USAGE);
        } catch (ModelFormatException e) {
            return Commands.fail(err, "model error: ", e, ExitCodes.DATA);
        }
        try (SparkSessions.Handle spark = SparkSessions.start(new SparkSettings(opts.master, appName, Map.of()))) {
            ScoringData d = ScoringInput.load(spark.session(), setup.model(), setup.dataSpec(), opts.partitions);
            JavaRDD<ScoringBlock> blocks = d.blocks().persist(StorageLevel.MEMORY_AND_DISK());
            try {
                return body.score(setup, spark, d, blocks);
            } finally {
                blocks.unpersist(false);
            }
        } catch (OutputTarget.OutputException e) {
            return Commands.fail(err, "error: ", e, ExitCodes.USAGE);
        } catch (Exception e) {
            return Commands.failRun(err, e);
        }
    }
}
