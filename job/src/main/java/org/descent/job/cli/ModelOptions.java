package org.descent.job.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by evaluate and predict: how to read the data (defaults: the model's training config). */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR", description = "Model directory written by train.")
    String model;

    @Option(names = {"-d", "--data"}, required = true, paramLabel = "PATH", description = "Data to score (any Hadoop FS path, directory or glob).")
    String data;

    @Option(names = "--label-column", paramLabel = "COL", description = "Label column name or 0-based CSV index (default: the model's data.label-column).")
    String labelColumn;

    @Option(names = "--no-label", description = "The data has no label column (CSV without header / Parquet).")
    boolean noLabel;

    @Option(names = "--id-column", paramLabel = "COL", description = "Id column carried into predictions (default: the model's data.id-column).")
    String idColumn;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override another data.* key of the model's training config, e.g. --set data.csv-header=true")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--partitions", defaultValue = "4", paramLabel = "N", description = "Spark partitions for the data (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    /** The {@code --set} style overrides these options stand for. */
    List<String> dataOverrides(String format) {
        List<String> o = new ArrayList<>();
        if (format != null) o.add("data.format=" + quote(format));
        if (noLabel) o.add("data.label-column=null");
        else if (labelColumn != null) o.add("data.label-column=" + quote(labelColumn));
        if (idColumn != null) o.add("data.id-column=" + quote(idColumn));
        o.addAll(overrides);
        return o;
    }

    private static String quote(String s) {
        return com.typesafe.config.ConfigUtil.quoteString(s);
    }
}
