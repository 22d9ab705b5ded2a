package org.descent.job.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.descent.job.Main;

/** Small generated data, configs and CLI runs shared by the checkpoint and publish tests. */
public final class Fixtures {
    private Fixtures() {}

    /** {@code n} rows of 3 Gaussian blobs in 5 dimensions as LIBSVM ({@code label idx:value ...}, 1-based indices). */
    public static Path blobs(Path file, int n, long seed, double spread) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] centres = {{2, 0, -1, 1, 0}, {-2, 1, 1, 0, -1}, {0, -2, 0, -1, 2}};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            b.append(c);
            for (int j = 0; j < 5; j++) {
                double u = r.nextDouble(), v = r.nextDouble();
                double g = Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
                b.append(' ').append(j + 1).append(':').append(String.format(Locale.ROOT, "%.6f", centres[c][j] + spread * g));
            }
            b.append('\n');
        }
        Files.writeString(file, b.toString());
        return file;
    }

    /**
     * A config file: an MLP with standard scaling, Adam and a cosine schedule (optimizer state and schedule
     * position both matter), holdout validation, checkpoints in {@code ckpt} (null = off).
     */
    public static Path config(Path file, Path data, Path model, Path ckpt, int epochs, int everySteps) throws IOException {
        String text = "data { train-path = \"" + data + "\", format = libsvm, label-type = class-index, scaling = standard }\n"
                + "model { type = mlp, hidden-layers = [8], activation = tanh }\n"
                + "optimizer { kind = adam, learning-rate = 0.02 }\n"
                + "schedule { kind = cosine }\n"
                + "training { epochs = " + epochs + ", batch-size = 32, partitions = 3, seed = 7, validation-fraction = 0.2 }\n"
                + "output.model-path = \"" + model + "\"\n"
                + (ckpt == null ? "" : "checkpoint { dir = \"" + ckpt + "\", every-epochs = 1, every-steps = "
                        + everySteps + ", keep-last = 3 }\n")
                + "spark.master = \"local[2]\"\n";
        Files.writeString(file, text);
        return file;
    }

    /** Runs Main in-process with stdout/stderr captured: {exit code, stderr + stdout}. */
    public static Result run(String... args) {
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setErr(p);
        System.setOut(p);
        try {
            int code = Main.run(args);
            return new Result(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }

    public record Result(int code, String output) {}

    public static byte[] params(Path model) throws IOException {
        return Files.readAllBytes(model.resolve("params.bin"));
    }
}
