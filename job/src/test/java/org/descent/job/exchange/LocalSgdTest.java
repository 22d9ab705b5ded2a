package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.descent.job.config.JobConfig;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.train.InMemoryData;
import org.descent.job.train.ModelFactory;
import org.descent.job.train.TestConfigs;
import org.descent.job.train.TestSpark;
import org.descent.job.train.Trainer;
import org.descent.math.Matrix;
import org.descent.math.nn.Network;
import org.descent.math.nn.Targets;
import org.descent.math.optim.GradientClipping;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;
import org.descent.math.optim.Regularization;
import org.descent.math.optim.ScheduleSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Local SGD ({@code training.local-steps = k}) against a plain re-implementation of its maths in this test: every
 * partition steps its own copy on its own slice of the {@link BatchPlan}, and after every k-th step of an epoch (and
 * at the epoch's end) parameters and optimizer state become the row-weighted mean {@code sum_i n_i w_i / sum_i n_i}.
 * The engine must give the same bits, and report each step's loss as the row-weighted mean of the local losses.
 */
class LocalSgdTest {
    private static final String RECIPE = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [8], activation = tanh, init = xavier-normal }
            optimizer { kind = momentum, learning-rate = 0.05, momentum = 0.9 }
            regularization.l2 = 0.0005
            clipping.max-norm = 5
            training { epochs = 2, batch-size = 64, seed = 21, partitions = 2, exchange = allreduce }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void givenLocalSgd_whenTraining_thenParametersAndStepLossesEqualAPlainReimplementationBitForBit(int k) {
        InMemoryData data = InMemoryData.blobs(601, 5, 3, 13); // 301 + 300 rows, 10 steps per epoch
        JobConfig cfg = TestConfigs.of(RECIPE, "training.local-steps=" + k);
        List<Double> losses = new ArrayList<>();
        double[] trained = new Trainer(TestSpark.session(), cfg).withStepListener((e, s, f) -> losses.add(f.loss()))
                .train(data.toLoaded(2), null).params();
        List<Double> wantLosses = new ArrayList<>();
        double[] want = reference(cfg, data.toLoaded(2).blocks().collect(), k, wantLosses);
        assertEquals(wantLosses.size(), losses.size());
        for (int i = 0; i < losses.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(wantLosses.get(i)), Double.doubleToRawLongBits(losses.get(i)),
                    "k=" + k + " loss of step " + i);
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(trained[i]),
                    "k=" + k + " param " + i + ": " + want[i] + " vs " + trained[i]);
        }
    }

    /** Local SGD over {@code blocks} (one per partition), as the class comment states it. */
    private static double[] reference(JobConfig cfg, List<RowBlock> blocks, int k, List<Double> losses) {
        int p = blocks.size();
        long n = blocks.stream().mapToLong(b -> b.rows).sum();
        int d = blocks.get(0).cols;
        int batch = cfg.training().batchSize();
        int steps = BatchPlan.stepsPerEpoch(n, batch);
        int epochs = cfg.training().epochs();
        BatchPlan plan = new BatchPlan(cfg.training().seed(), epochs, steps, batch);
        ModelArchitecture arch = ModelFactory.build(cfg.model(), d, 3);
        Network net = arch.toNetwork();
        double[] init = net.initParams(cfg.model().init(), cfg.training().seed());
        ScheduleSpec schedule = cfg.schedule().toSpec(cfg.optimizer().learningRate(), (long) epochs * steps);
        MiniBatchUpdate update = new MiniBatchUpdate(new Regularization(cfg.regularization().l1(),
                cfg.regularization().l2(), cfg.regularization().includeBias()),
                GradientClipping.byNorm(cfg.clipping().maxNorm()));
        double[][] w = new double[p][];
        Optimizer[] opt = new Optimizer[p];
        for (int r = 0; r < p; r++) {
            w[r] = init.clone();
            opt[r] = cfg.optimizer().spec().build(schedule);
            opt[r].init(net.layout());
        }
        int numParams = init.length;
        double[] g = new double[numParams];
        double[] scratch = new double[numParams];
        for (int e = 0; e < epochs; e++) {
            long[] windowRows = new long[p];
            double[] lossRows = new double[k];
            double[] rows = new double[k];
            int windowStart = 0;
            for (int s = 0; s < steps; s++) {
                long t = (long) e * steps + s;
                for (int r = 0; r < p; r++) {
                    RowBlock b = blocks.get(r);
                    int[] perm = new int[b.rows];
                    plan.permutation(e, r, perm);
                    int start = plan.sliceStart(s, b.rows);
                    int m = plan.sliceEnd(s, b.rows) - start;
                    if (m == 0) {
                        opt[r].skipStep(t);
                        continue;
                    }
                    double[] x = new double[m * d];
                    double[] y = new double[m];
                    StepTask.gather(b, perm, start, m, x, y);
                    Arrays.fill(g, 0.0);
                    double lossSum = net.lossAndGradientSum(w[r], Matrix.wrap(m, d, x), Targets.ofValues(m, y), g,
                            net.newWorkspace(m));
                    MiniBatchUpdate.Outcome o = update.apply(w[r], g, lossSum, m, t, opt[r], net.layout(), scratch);
                    lossRows[s - windowStart] += o.loss() * m; // rank order, as the allreduce sums
                    rows[s - windowStart] += m;
                    windowRows[r] += m;
                }
                if ((s + 1) % k != 0 && s != steps - 1) continue;
                average(w, opt, windowRows);
                for (int q = 0; q <= s - windowStart; q++) losses.add((0.0 + lossRows[q]) / rows[q]);
                Arrays.fill(windowRows, 0);
                Arrays.fill(lossRows, 0.0);
                Arrays.fill(rows, 0.0);
                windowStart = s + 1;
            }
        }
        return w[0];
    }

    /** Every copy (parameters and optimizer state arrays) becomes {@code (0.0 + sum_r n_r v_r) * (1 / sum_r n_r)}. */
    private static void average(double[][] w, Optimizer[] opt, long[] n) {
        int p = w.length;
        double total = 0.0;
        for (long x : n) total += x;
        double inv = 1.0 / total;
        List<double[][]> arrays = new ArrayList<>();
        double[][] params = new double[p][];
        for (int r = 0; r < p; r++) params[r] = w[r];
        arrays.add(params);
        for (int a = 0; a < opt[0].stateArrays().length; a++) {
            double[][] st = new double[p][];
            for (int r = 0; r < p; r++) st[r] = opt[r].stateArrays()[a];
            arrays.add(st);
        }
        for (double[][] copies : arrays) {
            double[] mean = new double[copies[0].length];
            for (int i = 0; i < mean.length; i++) {
                double acc = 0.0;
                for (int r = 0; r < p; r++) acc += copies[r][i] * n[r];
                mean[i] = acc * inv;
            }
            for (int r = 0; r < p; r++) System.arraycopy(mean, 0, copies[r], 0, mean.length);
        }
    }
}
