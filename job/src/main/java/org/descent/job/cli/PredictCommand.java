package org.descent.job.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.descent.job.config.ConfigError;
import org.descent.job.config.SparkSettings;
import org.descent.job.data.DataSpec;
import org.descent.job.data.ScoringBlock;
import org.descent.job.data.ScoringData;
import org.descent.job.model.ModelFormatException;
import org.descent.job.model.ModelStore;
import org.descent.job.model.SavedModel;
import org.descent.job.score.Scorer;
import org.descent.job.score.ScoringInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code predict --model M --data D --out O [--format parquet|csv]}: one output row per input row, in input
 * order: the id ({@code data.id-column}'s value, else the 0-based row number as text, column {@code row_id}),
 * the label when the data has one, {@code prediction} and (classifiers) {@code prob_0..prob_{k-1}}.
 * O is a Spark output directory (part files), written to a hidden temp sibling and renamed into place.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Write a saved model's predictions for a data set (Parquet or CSV with header).",
                "Columns: id, label (when present), prediction, prob_0..prob_{k-1} (classifiers).",
                "Exit codes: 0 ok, 2 usage/output error, 3 data or model error, 4 Spark failure."})
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions opts;

    @Option(names = "--data-format", paramLabel = "FORMAT",
            description = "Input format: libsvm, csv or parquet (default: the model's data.format).")
    String dataFormat;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "PATH", description = "Output directory (any Hadoop FS path).")
    String out;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Output format parquet or csv (default: from the extension of --out, else parquet).")
    String format;

    @Option(names = "--overwrite", description = "Replace an existing output.")
    boolean overwrite;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        OutputTarget target;
        SavedModel model;
        DataSpec dataSpec;
        String fmt;
        try {
            fmt = outputFormat(format, out);
            Commands.requireDataKeys(opts.overrides);
            target = OutputTarget.check(new Configuration(), out, overwrite);
            model = ModelStore.load(new Configuration(), opts.model);
            dataSpec = ScoringInput.spec(model, opts.data, opts.dataOverrides(dataFormat));
        } catch (ConfigError | OutputTarget.OutputException e) {
            return Commands.fail(err, "error: ", e, ExitCodes.USAGE);
        } catch (ModelFormatException e) {
            return Commands.fail(err, "model error: ", e, ExitCodes.DATA);
        }
        try (SparkSessions.Handle spark = SparkSessions.start(new SparkSettings(opts.master, "descent-predict", Map.of()))) {
            ScoringData d = ScoringInput.load(spark.session(), model, dataSpec, opts.partitions);
            JavaRDD<ScoringBlock> blocks = d.blocks().persist(StorageLevel.MEMORY_AND_DISK());
            try {
                boolean withLabel = Scorer.labelledRows(blocks) > 0;
                Scorer scorer = new Scorer(JavaSparkContext.fromSparkContext(spark.session().sparkContext()),
                        model.metadata().architecture(), model.params());
                String idName = dataSpec.idColumn() != null ? dataSpec.idColumn() : "row_id";
                Dataset<Row> df = spark.session().createDataFrame(scorer.predictions(blocks, withLabel),
                        scorer.schema(idName, withLabel));
                target.prepareParent();
                try {
                    df.write().format(fmt).option("header", "true").save(target.temp().toString());
                    target.commit();
                } catch (Exception e) {
                    target.abort();
                    throw e;
                }
                stdout.printf("wrote %d predictions (%s) to %s%n", d.count(), fmt, target.target());
                stdout.flush();
                return ExitCodes.OK;
            } finally {
                blocks.unpersist(false);
            }
        } catch (OutputTarget.OutputException e) {
            return Commands.fail(err, "error: ", e, ExitCodes.USAGE);
        } catch (Exception e) {
            return Commands.failRun(err, e);
        }
    }

    static String outputFormat(String flag, String out) {
        String f = flag;
        if (f == null) {
            String name = out.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
            f = name.endsWith(".csv") ? "csv" : "parquet";
        }
        f = f.trim().toLowerCase(Locale.ROOT);
        if (!f.equals("csv") && !f.equals("parquet")) {
            throw new ConfigError(null, "--format " + flag + " is not allowed; allowed: parquet, csv");
        }
        return f;
    }
}
