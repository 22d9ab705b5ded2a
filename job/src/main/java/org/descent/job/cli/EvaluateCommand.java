package org.descent.job.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.descent.job.data.DataException;
import org.descent.job.model.SavedModel;
import org.descent.job.data.ScoringBlock;
import org.descent.job.score.ScoreMetrics;
import org.descent.job.score.Scorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code evaluate --model M --data D [--out metrics.json]}: the model's loss and metrics on labelled data,
 * in one distributed pass; printed, and written as JSON (NaN as null) atomically when --out is given.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate a saved model on labelled data: loss plus accuracy, confusion matrix and per-class",
                "precision/recall (multiclass); log-loss, accuracy and ROC AUC (binary); RMSE, MAE and R² (regression).",
                "The data is read like the training data (the model's saved config) unless overridden.",
                "Exit codes: 0 ok, 2 usage/output error, 3 data or model error, 4 Spark failure."})
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions opts;

    @Option(names = {"--format", "--data-format"}, paramLabel = "FORMAT",
            description = "Data format: libsvm, csv or parquet (default: the model's data.format).")
    String format;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Also write the metrics as JSON here (any Hadoop FS path).")
    String out;

    @Option(names = "--overwrite", description = "Replace an existing --out file.")
    boolean overwrite;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        return ScoringSetup.run(err, opts, out, overwrite, format, "descent-evaluate", (setup, spark, d, blocks) -> {
            SavedModel model = setup.model();
            OutputTarget target = setup.target();
            long labelled = Scorer.labelledRows(blocks);
            if (labelled != d.count()) {
                throw new DataException(opts.data + " has " + (d.count() - labelled) + " of " + d.count()
                        + " rows without a label; evaluate needs labels (check --label-column / data.label-column)");
            }
            var a = model.metadata().architecture();
            ScoreMetrics m;
            try (Scorer scorer = new Scorer(JavaSparkContext.fromSparkContext(spark.session().sparkContext()), a)) {
                m = scorer.evaluate(blocks.map(ScoringBlock::block), model.params(), "descent evaluate " + opts.data);
            }
            String json = m.toJson(opts.model, opts.data);
            stdout.println("model " + opts.model + " (" + a.describe() + ") on " + opts.data);
            stdout.print(m.summary());
            if (target != null) {
                write(target, json);
                stdout.println("metrics written to " + target.target());
            }
            stdout.flush();
            return ExitCodes.OK;
        });
    }

    static void write(OutputTarget t, String text) throws java.io.IOException {
        t.prepareParent();
        try {
            try (FSDataOutputStream o = t.fs().create(t.temp(), false)) {
                o.write(text.getBytes(StandardCharsets.UTF_8));
                o.hsync();
            }
            t.commit();
        } catch (java.io.IOException | RuntimeException e) {
            t.abort();
            throw e;
        }
    }
}
