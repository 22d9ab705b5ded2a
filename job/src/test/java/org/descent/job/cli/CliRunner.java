package org.descent.job.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.descent.job.Main;

/** Runs the CLI with stdout and stderr captured, and writes small seeded CSV data sets for CLI tests. */
final class CliRunner {
    private CliRunner() {}

    record Result(int code, String out, String err) {
        String all() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * CSV with header {@code id,x1..xd,label}; ids "r<i>" (or 1000+i). kind: "blobs" (k Gaussian blobs, centres
     * seeded by centreSeed so train and test share them), "binary" (1 when x·w + noise > 0), "linear"
     * (y = x·w + 0.5 + N(0, 0.1²)).
     */
    static Path csv(Path file, String kind, int n, int d, int k, long centreSeed, long seed) throws IOException {
        SplittableRandom c = new SplittableRandom(centreSeed);
        double[][] centres = new double[Math.max(k, 1)][d];
        for (double[] row : centres) for (int j = 0; j < d; j++) row[j] = 3 * gaussian(c);
        double[] w = new double[d];
        for (int j = 0; j < d; j++) w[j] = 2 * c.nextDouble() - 1;
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder("id");
        for (int j = 1; j <= d; j++) b.append(",x").append(j);
        b.append(",label\n");
        for (int i = 0; i < n; i++) {
            double[] x = new double[d];
            String label;
            switch (kind) {
                case "blobs" -> {
                    int cls = r.nextInt(k);
                    for (int j = 0; j < d; j++) x[j] = centres[cls][j] + gaussian(r);
                    label = Integer.toString(cls);
                }
                case "binary" -> {
                    double s = 0.2;
                    for (int j = 0; j < d; j++) { x[j] = gaussian(r); s += w[j] * x[j]; }
                    label = s + 0.5 * gaussian(r) > 0 ? "1" : "0";
                }
                default -> {
                    double s = 0.5;
                    for (int j = 0; j < d; j++) { x[j] = gaussian(r); s += w[j] * x[j]; }
                    label = String.format(Locale.ROOT, "%.6f", s + 0.1 * gaussian(r));
                }
            }
            b.append("r").append(i);
            for (double v : x) b.append(',').append(String.format(Locale.ROOT, "%.6f", v));
            b.append(',').append(label).append('\n');
        }
        Files.writeString(file, b.toString());
        return file;
    }

    /** A train config for a CSV written by {@link #csv}. */
    static Path config(Path dir, String name, Path train, String modelType, int epochs, String extra) throws IOException {
        boolean classes = !modelType.equals("linear");
        String conf = """
                data {
                  train-path = "%s"
                  format = csv
                  csv-header = true
                  label-column = "label"
                  id-column = "id"
                  label-type = %s
                }
                model.type = %s
                optimizer { kind = adam, learning-rate = 0.05 }
                training { epochs = %d, batch-size = 64, partitions = 2, seed = 7, validation-fraction = 0.2 }
                output { model-path = "%s", progress = plain, progress-interval = 0.001 }
                spark.master = "local[2]"
                %s
                """.formatted(train, classes ? "class-index" : "real", modelType, epochs, dir.resolve(name), extra);
        Path p = dir.resolve(name + ".conf");
        Files.writeString(p, conf);
        return p;
    }
}
