package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.train.InMemoryData;
import org.descent.job.train.TestConfigs;
import org.descent.job.train.TestSpark;
import org.descent.job.train.Trainer;
import org.descent.math.Matrix;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.nn.Targets;
import org.descent.math.nn.InitKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an exchange reports for a step: the broadcast-collect sum (bit-exact vs a local computation), the same step
 * figures from both engines, and the figures' encoding.
 */
class StepFiguresTest {
    private static final int D = 5;
    private static final int K = 3;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static ModelArchitecture mlp() {
        return new ModelArchitecture("mlp", List.of(new LayerSpec(D, 6, ActivationKind.TANH, 0.01),
                new LayerSpec(6, K, ActivationKind.IDENTITY, 0.01)), LossKind.SOFTMAX_CE, D, K);
    }

    /** Partition sizes 40, 0 (an empty block) and 37; ids = global row index. */
    private static List<RowBlock> blocks() {
        SplittableRandom r = new SplittableRandom(11);
        List<RowBlock> out = new ArrayList<>();
        long id = 0;
        for (int n : new int[] {40, 0, 37}) {
            double[] f = new double[n * D];
            for (int i = 0; i < f.length; i++) f[i] = r.nextDouble() * 2 - 1;
            double[] y = new double[n];
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextInt(K);
                ids[i] = id++;
            }
            out.add(RowBlock.rowMajor(n, D, f, y, ids));
        }
        return out;
    }

    @Test
    void givenThreePartitionsOneEmpty_whenRunningSteps_thenGradientIsBitIdenticalToALocalPartitionOrderSum() {
        List<RowBlock> local = blocks();
        JavaRDD<RowBlock> rdd = TestSpark.jsc().parallelize(local, local.size()).cache();
        ModelArchitecture arch = mlp();
        Network net = arch.toNetwork();
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 3);
        BatchPlan plan = new BatchPlan(5, 2, BatchPlan.stepsPerEpoch(77, 16), 16);
        double[] sum = new double[net.numParams()];
        try (BroadcastCollectExchange ex = new BroadcastCollectExchange(TestSpark.jsc(), rdd, arch, plan,
                net.numParams(), Precision.FLOAT64)) {
            for (int epoch = 0; epoch < 2; epoch++) {
                for (int step = 0; step < plan.stepsPerEpoch(); step++) {
                    java.util.Arrays.fill(sum, Double.NaN); // the exchange must overwrite every entry
                    StepFigures got = ex.computeAndAggregate(params, epoch, step, sum);
                    double[] want = new double[net.numParams()];
                    double wantLoss = 0;
                    long wantRows = 0;
                    for (int p = 0; p < local.size(); p++) {
                        RowBlock b = local.get(p);
                        if (b.rows == 0) continue;
                        int[] perm = new int[b.rows];
                        plan.permutation(epoch, p, perm);
                        int start = plan.sliceStart(step, b.rows);
                        int m = plan.sliceEnd(step, b.rows) - start;
                        double[] x = new double[m * D];
                        double[] y = new double[m];
                        StepTask.gather(b, perm, start, m, x, y);
                        double[] g = new double[net.numParams()];
                        wantLoss += net.lossAndGradientSum(params, Matrix.wrap(m, D, x), Targets.ofValues(m, y), g,
                                net.newWorkspace(m));
                        for (int i = 0; i < g.length; i++) want[i] += g[i];
                        wantRows += m;
                    }
                    assertEquals(wantRows, got.rows());
                    assertEquals(Double.doubleToRawLongBits(wantLoss), Double.doubleToRawLongBits(got.lossSum()));
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(sum[i]),
                                "epoch " + epoch + " step " + step + " param " + i);
                    }
                    assertEquals(3, got.tasks(), "one partial per partition, the empty one included");
                    assertTrue(Double.isNaN(got.loss()), "no update yet: the update's figures are unset");
                }
            }
        } finally {
            rdd.unpersist(false);
        }
    }

    private static List<StepFigures> steps(String exchange, InMemoryData data) {
        List<StepFigures> seen = new ArrayList<>();
        new Trainer(TestSpark.session(), TestConfigs.of("""
                data.label-type = class-index
                model { type = softmax }
                optimizer { kind = sgd, learning-rate = 0.1 }
                regularization.l2 = 0.001
                training { epochs = 2, batch-size = 64, seed = 3, partitions = 2 }
                """, "training.exchange=" + exchange)).withStepListener((epoch, step, f) -> seen.add(f))
                .train(data.toLoaded(2), null);
        return seen;
    }

    @Test
    void givenBothEngines_whenTrainingTheSameRun_thenEveryStepReportsTheSameRowsLossNormRateAndStatus() {
        InMemoryData data = InMemoryData.blobs(300, 4, 3, 5);
        List<StepFigures> driver = steps("broadcast-collect", data);
        List<StepFigures> allreduce = steps("allreduce", data);
        assertEquals(2 * 5, driver.size(), "2 epochs x ceil(300/64) steps");
        assertEquals(driver.size(), allreduce.size());
        long rows = 0;
        for (int k = 0; k < driver.size(); k++) {
            StepFigures a = driver.get(k);
            StepFigures b = allreduce.get(k);
            String what = "step " + k + ": " + a + " vs " + b;
            assertEquals(a.rows(), b.rows(), what);
            assertEquals(Double.doubleToRawLongBits(a.lossSum()), Double.doubleToRawLongBits(b.lossSum()), what);
            assertEquals(Double.doubleToRawLongBits(a.loss()), Double.doubleToRawLongBits(b.loss()), what);
            assertEquals(Double.doubleToRawLongBits(a.gradNorm()), Double.doubleToRawLongBits(b.gradNorm()), what);
            assertEquals(0.1, a.learningRate(), 0.0, what);
            assertEquals(a.learningRate(), b.learningRate(), 0.0, what);
            assertTrue(a.ok() && b.ok(), what);
            assertEquals(2, a.tasks(), what);
            assertEquals(2, b.tasks(), what);
            // the update's loss is the data loss plus the L2 penalty: above the mean data loss
            assertTrue(a.loss() > a.lossSum() / a.rows(), what);
            rows += a.rows();
        }
        assertEquals(600, rows, "every row once per epoch");
        StepTimingTotals totals = new StepTimingTotals();
        driver.forEach(totals::add);
        assertEquals(10, totals.steps());
        assertEquals(600, totals.rows());
    }

    @Test
    void givenFiguresWithSpecialValues_whenEncodedAndDecoded_thenEveryFieldRoundTripsBitExactly() {
        List<StepFigures> in = List.of(
                new StepFigures(64, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e-300,
                        org.descent.math.optim.MiniBatchUpdate.Status.NON_FINITE_PARAMS, 5, 4, 8, 1, 2, 2, 3),
                new StepFigures(0, Math.PI, 0.5, 2.5, 0.01, org.descent.math.optim.MiniBatchUpdate.Status.OK,
                        Long.MAX_VALUE, 0, 0, 0, 0, 1, Long.MIN_VALUE),
                new StepFigures(7, 1, 1, 1, 1, org.descent.math.optim.MiniBatchUpdate.Status.NON_FINITE_LOSS,
                        1, 1, 1, 1, 1, 7, 1));
        List<StepFigures> out = StepFigures.decode(StepFigures.encode(in));
        assertEquals(in.size(), out.size());
        for (int i = 0; i < in.size(); i++) {
            // record equals compares doubles by their bits (Double.compare), so -0.0 and NaN payloads count
            assertEquals(in.get(i), out.get(i), "figures " + i);
        }
    }

    @Test
    void givenSpecialValues_whenEncodingAsBytes_thenTheyRoundTripBitExactly() {
        double[] v = {0.0, -0.0, 1.5, -3e-310, Double.NaN, Double.longBitsToDouble(0x7ff8_0000_0000_0123L),
                Double.POSITIVE_INFINITY, Double.MIN_VALUE, Math.PI};
        byte[] b = DoubleBytes.encode(v);
        assertEquals(8 * v.length, b.length);
        assertEquals((byte) 0x18, b[8 * 8], "little-endian: the low byte of pi's bits comes first");
        double[] back = new double[v.length];
        DoubleBytes.decode(b, back);
        double[] acc = new double[v.length];
        DoubleBytes.addTo(b, acc);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Double.doubleToRawLongBits(v[i]), Double.doubleToRawLongBits(back[i]), "value " + i);
            assertEquals(Double.doubleToRawLongBits(0.0 + v[i]), Double.doubleToRawLongBits(acc[i]), "sum " + i);
        }
        assertNotEquals(0, b.length);
        assertArrayEquals(b, DoubleBytes.encode(back));
    }
}
