package org.descent.job.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.descent.job.config.ConfigError;
import org.descent.job.model.SavedModel;
import org.descent.job.score.Scorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code predict --model M --data D --out O [--format parquet|csv]}: one output row per input row, in input
 * order: the id ({@code data.id-column}'s value, else the 0-based row number as text, column {@code row_id}),
 * the label when the data has one, {@code prediction} and (classifiers) {@code prob_0..prob_{k-1}}.
 * An O ending in {@code .csv} is one CSV file (one header; the rows coalesced into one partition, written to a
 * hidden temp sibling and renamed into place). Any other O is a Spark output directory of part files (for big
 * outputs: {@code --format csv} with a directory name, or Parquet), also written aside and renamed into place.
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

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "PATH", description = "Output (any Hadoop FS path): NAME.csv = one CSV file; otherwise a directory of part files.")
    String out;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Output format parquet or csv (default: from the extension of --out, else parquet).")
    String format;

    @Option(names = "--overwrite", description = "Replace an existing output.")
    boolean overwrite;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        String fmt;
        try {
            fmt = outputFormat(format, out);
        } catch (ConfigError e) {
            return Commands.fail(err, "error: ", e, ExitCodes.USAGE);
        }
        return ScoringSetup.run(err, opts, out, overwrite, dataFormat, "descent-predict", (setup, spark, d, blocks) -> {
            OutputTarget target = setup.target();
            SavedModel model = setup.model();
            boolean withLabel = Scorer.labelledRows(blocks) > 0;
            Scorer scorer = new Scorer(JavaSparkContext.fromSparkContext(spark.session().sparkContext()),
                    model.metadata().architecture());
            String idName = setup.dataSpec().idColumn() != null ? setup.dataSpec().idColumn() : "row_id";
            Dataset<Row> df = spark.session().createDataFrame(scorer.predictions(blocks, model.params(), withLabel),
                    scorer.schema(idName, withLabel));
            target.prepareParent();
            try {
                if (singleFile(fmt, out)) {
                    df.coalesce(1).write().format(fmt).option("header", "true").save(target.temp().toString());
                    target.commitSingleFile();
                } else {
                    df.write().format(fmt).option("header", "true").save(target.temp().toString());
                    target.commit();
                }
            } catch (Exception e) {
                target.abort();
                throw e;
            }
            stdout.printf("wrote %d predictions (%s) to %s%n", d.count(), fmt, target.target());
            stdout.flush();
            return ExitCodes.OK;
        });
    }

    /** A CSV output whose name ends in {@code .csv} is one file; everything else a directory of part files. */
    static boolean singleFile(String fmt, String out) {
        return fmt.equals("csv") && out.toLowerCase(Locale.ROOT).endsWith(".csv");
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
