package org.descent.job.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.descent.job.config.SparkSettings;
import org.descent.job.data.DataFormat;
import org.descent.job.data.idx.ConvertResult;
import org.descent.job.data.idx.FashionMnistConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convert --idx DIR --out DIR}: Fashion-MNIST IDX files to {@code <out>/train.parquet} and {@code <out>/test.parquet}. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert the Fashion-MNIST IDX files (train-*/t10k-*, optionally .gz) to Parquet or LIBSVM.",
                "Exit codes: 0 ok, 2 usage error, 3 data/input error, 4 output could not be written."})
public final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--idx", required = true, paramLabel = "DIR", description = "Directory with the IDX files, e.g. /usr/share/datasets/fashion-mnist")
    String idxDir;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory, e.g. data/fashion-mnist")
    String outDir;

    @Option(names = "--format", defaultValue = "parquet", paramLabel = "FORMAT", description = "parquet (default) or libsvm")
    String format;

    @Option(names = "--overwrite", description = "Replace existing outputs.")
    boolean overwrite;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        DataFormat f;
        switch (format.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "parquet" -> f = DataFormat.PARQUET;
            case "libsvm" -> f = DataFormat.LIBSVM;
            default -> {
                err.println("error: --format " + format + " is not allowed; allowed: parquet, libsvm");
                return ExitCodes.USAGE;
            }
        }
        String ext = f == DataFormat.PARQUET ? ".parquet" : ".libsvm";
        try {
            for (String set : java.util.List.of("train", "test")) {
                org.apache.hadoop.fs.Path t = new org.apache.hadoop.fs.Path(outDir, set + ext);
                if (!overwrite && t.getFileSystem(new org.apache.hadoop.conf.Configuration()).exists(t)) {
                    err.println("error: output " + t + " already exists; remove it or pass --overwrite");
                    return ExitCodes.USAGE;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return Failures.report(err, e);
        }
        try (SparkSessions.Handle spark = SparkSessions.start(new SparkSettings(master, "descent-convert", Map.of()))) {
            ConvertResult r = FashionMnistConverter.convert(spark.session(), idxDir, outDir, f, overwrite);
            spec.commandLine().getOut().printf("wrote %d training rows to %s and %d test rows to %s%n",
                    r.trainRows(), r.trainPath(), r.testRows(), r.testPath());
            return ExitCodes.OK;
        } catch (RuntimeException e) { // bad IDX input → 3, output not writable → 4 (Failures)
            return Failures.report(err, e);
        }
    }
}
