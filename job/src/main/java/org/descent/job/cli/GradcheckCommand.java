package org.descent.job.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.descent.job.config.ConfigError;
import org.descent.job.config.JobConfig;
import org.descent.job.data.DataLoader;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.train.ModelFactory;
import org.descent.math.Matrix;
import org.descent.math.check.GradientChecker;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.nn.Targets;
import org.descent.math.optim.Regularization;
import org.descent.math.scale.FeatureStats;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradcheck --config C}: builds exactly the network the config describes (layers, activations,
 * loss, {@code model.init} with {@code training.seed}), reads the configured training data with the
 * data stage (same partitioning and seed as train) and takes the first {@code --rows} rows in partition
 * order (block 0 first). With {@code data.scaling} on, the scaler is fitted on that batch.
 *
 * <p>Compares the analytic gradient of {@code f(w) = mean loss(w; batch) + (l2/2)·||w||²} (biases per
 * {@code regularization.include-bias}; L1 is left out: its kink at 0 has no derivative) with central
 * differences {@code (f(w + h e_i) - f(w - h e_i)) / 2h} for every parameter, or for a seeded sample of
 * {@code --max-per-layer} per weight/bias segment ({@link GradientChecker#checkPerSegmentSampled}). Prints
 * the worst relative error {@code |a - n| / max(|a|, |n|, 1e-8)} per segment; exit
 * {@link ExitCodes#GRADCHECK} when any exceeds {@code --threshold}.
 * Always in float64: with {@code training.precision = float32} it says so in one line (central
 * differences need double; float32 is the same maths, tested in common-math).
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = {"Check the model's analytic gradient against central differences on a small batch of the configured data.",
                "Exit codes: 0 every segment within --threshold, 2 config/usage error, 3 data error, 5 gradient check failed."})
public final class GradcheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--rows", defaultValue = "16", paramLabel = "N", description = "Batch rows (default ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--max-per-layer", paramLabel = "N", description = "Check at most N seeded-random parameters per weight/bias segment (default: all).")
    Integer maxPerLayer;

    @Option(names = "--threshold", defaultValue = "1e-5", paramLabel = "X", description = "Largest allowed relative error (default ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--step", defaultValue = "1e-6", paramLabel = "H", description = "Central-difference step h (default ${DEFAULT-VALUE}).")
    double step;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        JobConfig cfg;
        try {
            if (rows < 1) throw new ConfigError(null, "--rows must be at least 1, got " + rows);
            if (maxPerLayer != null && maxPerLayer < 1) throw new ConfigError(null, "--max-per-layer must be at least 1");
            if (!(threshold > 0) || !(step > 0)) throw new ConfigError(null, "--threshold and --step must be positive");
            cfg = configOptions.load();
        } catch (ConfigError e) {
            return Commands.fail(err, "error: ", e, ExitCodes.USAGE);
        }
        try (SparkSessions.Handle spark = SparkSessions.start(cfg.spark())) {
            long seed = cfg.training().seed();
            LoadedData d = DataLoader.load(spark.session(), cfg.data().trainSpec(), cfg.training().partitions(), seed);
            ModelArchitecture arch = ModelFactory.build(cfg.model(), d.numFeatures(), d.numClasses());
            RowBlock batch = firstRows(d, rows);
            double[] x = new double[batch.rows * batch.cols]; // column-major, as the network takes it
            batch.copyRows(0, batch.rows, x);
            if (cfg.data().scaling() != ScalerKind.NONE) {
                FeatureStats stats = new FeatureStats(batch.cols);
                stats.addColumnMajor(x, batch.rows, batch.cols);
                Scaler.fit(cfg.data().scaling(), stats).transformInPlace(x, batch.rows, batch.cols);
            }
            Matrix xm = Matrix.wrap(batch.rows, batch.cols, x);
            Targets y = Targets.ofValues(batch.rows, batch.labels);
            Network net = arch.toNetwork();
            double[] params = net.initParams(cfg.model().init(), seed);
            Regularization reg = new Regularization(0, cfg.regularization().l2(), cfg.regularization().includeBias());
            double[] scratch = new double[params.length];
            double[] grad = new double[params.length];
            net.lossAndGradient(params, xm, y, grad);
            reg.addPenaltyGradient(params, grad, net.layout());
            List<GradientChecker.SegmentResult> res = GradientChecker.checkPerSegmentSampled(
                    w -> net.lossMean(w, xm, y) + reg.addPenaltyGradient(w, scratch, net.layout()),
                    params, grad, step, net.layout(), maxPerLayer == null ? Integer.MAX_VALUE : maxPerLayer, seed);
            out.printf(Locale.ROOT, "gradient check of %s: %d parameters, batch of %d rows, h = %g, threshold %g%s%n",
                    arch.describe(), params.length, batch.rows, step, threshold,
                    cfg.regularization().l1() > 0 ? " (L1 penalty not checked: no derivative at 0)" : "");
            if (cfg.training().precision() == Precision.FLOAT32) {
                out.println("training.precision = float32: this check runs in float64 (the analytic gradient is the "
                        + "same maths in either precision; the float32 path is validated by common-math's float32 tests)");
            }
            boolean ok = true;
            for (GradientChecker.SegmentResult r : res) {
                if (r.segment().length() == 0) {
                    continue; // pooling and flatten layers have no parameters
                }
                boolean bad = !(r.worstRelativeError() <= threshold);
                ok &= !bad;
                out.printf(Locale.ROOT, "%-4s %-10s checked %6d/%-6d worst relative error %.3e at %d (analytic %.6e, numeric %.6e)%n",
                        bad ? "FAIL" : "ok", r.segment().name(), r.checked(), r.segment().length(), r.worstRelativeError(),
                        r.worstIndex(), r.analytic(), r.numeric());
            }
            GradientChecker.Result w = GradientChecker.worst(res);
            out.printf(Locale.ROOT, "%s: worst relative error %.3e (threshold %g)%n", ok ? "PASSED" : "FAILED",
                    w.worstRelativeError(), threshold);
            out.flush();
            return ok ? ExitCodes.OK : ExitCodes.GRADCHECK;
        } catch (Exception e) {
            return Commands.failRun(err, e);
        }
    }

    /** The first {@code n} rows in partition order (block 0 first), one small collect. */
    static RowBlock firstRows(LoadedData d, int n) {
        List<RowBlock> heads = d.blocks().mapPartitions(it -> {
            List<RowBlock> o = new ArrayList<>();
            while (it.hasNext()) {
                RowBlock b = it.next();
                o.add(b.denseHead(Math.min(n, b.rows))); // dense even from a sparse block: a small sample
            }
            return o.iterator();
        }).collect();
        int cols = d.numFeatures();
        int total = 0;
        for (RowBlock b : heads) total += b.rows;
        int m = Math.min(n, total);
        double[] f = new double[m * cols];
        double[] l = new double[m];
        long[] ids = new long[m];
        int r = 0;
        for (RowBlock b : heads) {
            for (int i = 0; i < b.rows && r < m; i++, r++) {
                for (int j = 0; j < cols; j++) f[r * cols + j] = b.feature(i, j);
                l[r] = b.labels[i];
                ids[r] = b.ids[i];
            }
        }
        return RowBlock.rowMajor(m, cols, f, l, ids);
    }
}
