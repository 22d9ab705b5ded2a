package org.descent.job.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.api.java.JavaRDD;
import org.descent.job.data.RowBlock;
import org.descent.job.exchange.EpochEndWork;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.train.TestSpark;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Precision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The validation set held in the driver's JVM ({@link HeldValidation}, issue 17): scored by driver threads or by the
 * ranks at epoch ends, every pass (the first, which lays the chunks out, and the later ones, from the kept chunks
 * after the blocks are dropped) has the bits of the Spark-job pass ({@link Scorer#evaluate}) over the same partitions,
 * in float64 and in float32.
 */
class HeldValidationTest {
    private static final int D = 6;
    private static final int K = 3;
    /** Four partitions: several chunks (the last partial), an empty one, one row, one chunk. */
    private static final int[] ROWS = {2 * Scorer.CHUNK + 17, 0, 1, Scorer.CHUNK - 3};

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static ModelArchitecture mlp() {
        return new ModelArchitecture("mlp", List.of(new LayerSpec(D, 8, ActivationKind.RELU, 0.01),
                new LayerSpec(8, K, ActivationKind.IDENTITY, 0.01)), LossKind.SOFTMAX_CE, D, K);
    }

    private static List<RowBlock> blocks(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<RowBlock> out = new ArrayList<>();
        for (int n : ROWS) {
            double[] f = new double[n * D];
            double[] y = new double[n];
            for (int i = 0; i < f.length; i++) f[i] = r.nextGaussian();
            for (int i = 0; i < n; i++) y[i] = f[i * D] + f[i * D + 1] > 0 ? r.nextInt(2) : 2;
            out.add(RowBlock.rowMajor(n, D, f, y, new long[n]));
        }
        return out;
    }

    private static void assertSameFigures(ScoreMetrics want, ScoreMetrics got, String what) {
        assertEquals(want.rows(), got.rows(), what);
        assertEquals(Double.doubleToRawLongBits(want.meanLoss()), Double.doubleToRawLongBits(got.meanLoss()),
                what + ": loss " + want.meanLoss() + " vs " + got.meanLoss());
        assertArrayEquals(want.multiclass().confusionMatrix(), got.multiclass().confusionMatrix(), what);
        assertEquals(want.asMap("v"), got.asMap("v"), what);
    }

    /** The ranks' calls at the end of {@code epoch}: {@code ranks} threads, each waiting for the others. */
    private static void scoreAsRanks(HeldValidation held, int epoch, int ranks, double[] params) throws Exception {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            int rank = r;
            Thread t = new Thread(() -> held.atEpochEnds().score(epoch, rank, ranks, params, () -> false));
            t.setUncaughtExceptionHandler((th, e) -> failed.set(e));
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
        if (failed.get() != null) throw new AssertionError(failed.get());
    }

    @Test
    void givenFourPartitions_whenDriverThreadsAndRanksScoreThreeEpochs_thenEveryPassHasTheSparkJobsBits()
            throws Exception {
        ModelArchitecture a = mlp();
        for (Precision precision : Precision.values()) {
            List<RowBlock> blocks = blocks(11);
            JavaRDD<RowBlock> rdd = TestSpark.jsc().parallelize(blocks, blocks.size()).cache();
            try (Scorer job = Scorer.forValidation(TestSpark.jsc(), a, precision, 1L << 20);
                 HeldValidation held = new HeldValidation(a, precision, 1L << 20,
                         HeldValidation.handOver(TestSpark.jsc(), rdd), 2)) {
                for (int epoch = 0; epoch < 3; epoch++) { // epoch 0 lays the chunks out, 1 and 2 score from them
                    double[] params = a.toNetwork().initParams(InitKind.HE_NORMAL, 40 + epoch);
                    String what = precision + " epoch " + epoch;
                    ScoreMetrics want = job.evaluate(rdd, params, "test");
                    assertSameFigures(want, held.evaluate(params), what + " (driver threads)");
                    scoreAsRanks(held, epoch, 2 + epoch % 2, params); // 2 ranks, then 3
                    HeldValidation.Scored s = held.takeScored(epoch);
                    assertSameFigures(want, s.metrics(), what + " (ranks)");
                    assertTrue(s.end() >= s.start(), what + ": times " + s);
                    assertNull(held.takeScored(epoch), "taken once");
                }
            } finally {
                rdd.unpersist(false);
            }
        }
    }

    @Test
    void givenACachedRddInLocalMode_whenHandedOver_thenTheDriverHoldsTheCachedBlocksThemselvesByPartition() {
        List<RowBlock> blocks = blocks(3);
        JavaRDD<RowBlock> rdd = TestSpark.jsc().parallelize(blocks, blocks.size()).cache();
        try {
            rdd.count();
            List<RowBlock> cached = new ArrayList<>();
            List<RowBlock[]> held = HeldValidation.handOver(TestSpark.jsc(), rdd);
            assertEquals(blocks.size(), held.size());
            for (int p = 0; p < blocks.size(); p++) {
                assertEquals(1, held.get(p).length, "one block in partition " + p);
                assertEquals(ROWS[p], held.get(p)[0].rows, "partition " + p);
                cached.add(held.get(p)[0]);
            }
            // a second hand-over of the deserialised cache gives the same objects: no copy
            List<RowBlock[]> again = HeldValidation.handOver(TestSpark.jsc(), rdd);
            for (int p = 0; p < blocks.size(); p++) assertSame(cached.get(p), again.get(p)[0], "partition " + p);
        } finally {
            rdd.unpersist(false);
        }
    }

    @Test
    void givenTheDriverTookTheEpochBeforeAWaitingRankWoke_whenThatRankWakes_thenItGoesOnInsteadOfWaitingForever()
            throws Exception {
        ModelArchitecture a = mlp();
        List<RowBlock[]> parts = new ArrayList<>();
        for (RowBlock b : blocks(9)) parts.add(new RowBlock[] {b});
        double[] params = a.toNetwork().initParams(InitKind.HE_NORMAL, 2);
        try (HeldValidation held = new HeldValidation(a, Precision.FLOAT64, 1L << 20, parts, 1)) {
            Thread rank1 = new Thread(() -> held.atEpochEnds().score(0, 1, 2, params, () -> false));
            rank1.setDaemon(true);
            rank1.start();
            while (rank1.getState() != Thread.State.TIMED_WAITING) Thread.onSpinWait(); // scored, now waiting
            synchronized (held) { // rank 1 cannot wake until rank 0 has scored and the driver has taken the epoch
                held.atEpochEnds().score(0, 0, 2, params, () -> false);
                assertTrue(held.takeScored(0) != null, "all four partitions scored");
            }
            rank1.join(30_000);
            assertTrue(!rank1.isAlive(), "rank 1 still waits for an epoch the driver has taken");
        }
    }

    @Test
    void givenACancelledStage_whenARankWaitsForTheOthers_thenItStopsAndTheDriverGetsNothingForTheEpoch() {
        ModelArchitecture a = mlp();
        List<RowBlock> blocks = blocks(5);
        List<RowBlock[]> parts = new ArrayList<>();
        for (RowBlock b : blocks) parts.add(new RowBlock[] {b});
        double[] params = a.toNetwork().initParams(InitKind.HE_NORMAL, 1);
        try (HeldValidation held = new HeldValidation(a, Precision.FLOAT64, 0, parts, 1)) {
            EpochEndWork.Scoring ranks = held.atEpochEnds();
            // rank 1 of 2 scores partitions 1 and 3, then waits for rank 0, whose stage was cancelled
            RuntimeException e = assertThrows(IllegalStateException.class,
                    () -> ranks.score(0, 1, 2, params, () -> true));
            assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
            assertNull(held.takeScored(0), "partitions 0 and 2 missing: the driver scores itself");
        }
    }
}
