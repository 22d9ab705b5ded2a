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
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.nn.Targets;
import org.descent.math.nn.InitKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The broadcast-collect exchange's result (bit-exact vs a local computation) and its step timing figures. */
class ExchangeTimingTest {
    private static final int D = 5;
    private static final int K = 3;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static ModelArchitecture mlp() {
        return new ModelArchitecture("mlp", List.of(new ModelArchitecture.Layer(D, 6, ActivationKind.TANH, 0.01),
                new ModelArchitecture.Layer(6, K, ActivationKind.IDENTITY, 0.01)), LossKind.SOFTMAX_CE, D, K);
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
            out.add(new RowBlock(n, D, f, y, ids));
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
        try (BroadcastCollectExchange ex = new BroadcastCollectExchange(TestSpark.jsc(), rdd, arch, plan,
                net.numParams(), true, Precision.FLOAT64)) {
            for (int epoch = 0; epoch < 2; epoch++) {
                for (int step = 0; step < plan.stepsPerEpoch(); step++) {
                    StepResult got = ex.computeAndAggregate(params, epoch, step);
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
                        assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(got.gradSum()[i]),
                                "epoch " + epoch + " step " + step + " param " + i);
                    }
                    assertEquals(3, got.visitedIds().length);
                    assertEquals(0, got.visitedIds()[1].length, "the empty partition visits nothing");

                    StepTiming t = got.timing();
                    assertEquals(3, t.tasks());
                    assertTrue(t.computeMaxNanos() > 0, "two non-empty tasks computed: " + t);
                    assertTrue(t.computeMaxNanos() <= t.computeSumNanos(), t.toString());
                    assertTrue(t.computeSumNanos() <= (long) t.tasks() * t.computeMaxNanos(), t.toString());
                    assertTrue(t.fetchMaxNanos() >= 0 && t.driverSumNanos() > 0, t.toString());
                    assertTrue(t.computeMaxNanos() + t.driverSumNanos() <= t.wallNanos(), t.toString());
                    assertEquals(t.wallNanos() - t.computeMaxNanos(), t.exchangeNanos());
                    assertTrue(t.exchangeNanos() > 0, t.toString());
                }
            }
        } finally {
            rdd.unpersist(false);
        }
    }

    @Test
    void givenATrainingRun_whenListeningToSteps_thenEveryStepCarriesConsistentTimingAndTotalsAddUp() {
        InMemoryData data = InMemoryData.blobs(300, 4, 3, 5);
        List<StepTiming> seen = new ArrayList<>();
        StepTimingTotals totals = new StepTimingTotals();
        new Trainer(TestSpark.session(), TestConfigs.of("""
                data.label-type = class-index
                model { type = softmax }
                optimizer { kind = sgd, learning-rate = 0.1 }
                training { epochs = 2, batch-size = 64, seed = 3 }
                """)).withStepListener((epoch, step, r, loss, norm) -> {
                    seen.add(r.timing());
                    totals.add(r.timing(), r.rows());
                }).train(data.toLoaded(2), null);
        assertEquals(2 * 5, seen.size(), "2 epochs x ceil(300/64) steps");
        long wall = 0, cmax = 0;
        for (StepTiming t : seen) {
            assertEquals(2, t.tasks());
            // StepTiming's invariant is <=: with the allreduce engine (auto picks it for 2 partitions on local[2]) a
            // step can last exactly its slowest task's compute on rank 0's clock
            assertTrue(t.computeMaxNanos() > 0 && t.computeMaxNanos() <= t.wallNanos(), t.toString());
            wall += t.wallNanos();
            cmax += t.computeMaxNanos();
        }
        assertEquals(10, totals.steps());
        assertEquals(600, totals.rows());
        assertEquals(wall, totals.wallNanos());
        assertEquals(wall - cmax, totals.exchangeNanos());
        assertTrue(totals.summary().startsWith("10 steps, "), totals.summary());
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
