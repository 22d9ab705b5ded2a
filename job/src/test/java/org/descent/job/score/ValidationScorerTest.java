package org.descent.job.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.descent.job.data.BatchReader;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.train.TestSpark;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.sparse.CsrMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A training run's validation scorer ({@link Scorer#forValidation}): in float64 every pass (Spark job or driver, the
 * first one and the later ones from the kept chunks) has the bits of the former scoring, a loss pass and a prediction
 * pass per chunk; in float32 it really computes in float, close to float64; blocks beyond the keep limit and sparse
 * blocks are read from the blocks with the same figures.
 */
class ValidationScorerTest {
    private static final int D = 7;
    private static final int K = 4;
    /** Two partitions of more than one chunk each (the last chunk partial), and an empty one. */
    private static final int[] ROWS = {Scorer.CHUNK + 301, 0, 2 * Scorer.CHUNK + 5};

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static ModelArchitecture mlp() {
        return new ModelArchitecture("mlp", List.of(new LayerSpec(D, 9, ActivationKind.RELU, 0.01),
                new LayerSpec(9, K, ActivationKind.IDENTITY, 0.01)), LossKind.SOFTMAX_CE, D, K);
    }

    /** One dense block per partition (float64 values, or float32 when {@code narrow}), labels from a seeded rule. */
    private static List<RowBlock> dense(long seed, boolean narrow) {
        SplittableRandom r = new SplittableRandom(seed);
        List<RowBlock> out = new ArrayList<>();
        for (int n : ROWS) {
            double[] f = new double[n * D];
            float[] g = new float[n * D];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < D; j++) {
                    f[i * D + j] = r.nextGaussian();
                    g[i * D + j] = (float) f[i * D + j];
                    s += f[i * D + j] * (j + 1);
                }
                y[i] = r.nextInt(10) < 7 ? Math.floorMod((long) Math.floor(s), K) : r.nextInt(K);
            }
            out.add(narrow ? RowBlock.rowMajor(n, D, g, y, new long[n]) : RowBlock.rowMajor(n, D, f, y, new long[n]));
        }
        return out;
    }

    /** The same rows as CSR blocks (every value kept). */
    private static List<RowBlock> sparse(List<RowBlock> dense) {
        List<RowBlock> out = new ArrayList<>();
        for (RowBlock b : dense) {
            int[] ptr = new int[b.rows + 1];
            int[] idx = new int[b.rows * D];
            for (int i = 0; i < b.rows; i++) {
                ptr[i + 1] = (i + 1) * D;
                for (int j = 0; j < D; j++) idx[i * D + j] = j;
            }
            out.add(new RowBlock(new CsrMatrix(b.rows, D, ptr, idx, b.denseRowMajor()), b.labels, b.ids));
        }
        return out;
    }

    /** The former scoring: per chunk a float64 loss pass, then a prediction pass, merged in partition order. */
    private static ScoreMetrics twoPassReference(ModelArchitecture a, List<RowBlock> blocks, double[] params) {
        Network net = a.toNetwork();
        Network.Workspace ws = net.newWorkspace(Scorer.CHUNK);
        BatchReader reader = new BatchReader(Scorer.CHUNK, D);
        ScoreMetrics total = new ScoreMetrics(a);
        for (RowBlock b : blocks) {
            ScoreMetrics acc = new ScoreMetrics(a);
            for (int start = 0; start < b.rows; start += Scorer.CHUNK) {
                int m = Math.min(Scorer.CHUNK, b.rows - start);
                reader.load(b, start, m);
                acc.addLoss(reader.lossSum(net, params, ws), m);
                acc.add(reader.predict(net, params, ws), reader.labels(), m);
            }
            total.merge(acc);
        }
        return total;
    }

    private static void assertSameFigures(ScoreMetrics want, ScoreMetrics got, String what) {
        assertEquals(want.rows(), got.rows(), what);
        assertEquals(Double.doubleToRawLongBits(want.meanLoss()), Double.doubleToRawLongBits(got.meanLoss()),
                what + ": loss " + want.meanLoss() + " vs " + got.meanLoss());
        assertArrayEquals(want.multiclass().confusionMatrix(), got.multiclass().confusionMatrix(), what);
    }

    /** The blocks held on the driver, one partition each ({@link HeldValidation}: driver threads). */
    private static HeldValidation held(ModelArchitecture a, Precision precision, long keep, List<RowBlock> blocks) {
        List<RowBlock[]> parts = new ArrayList<>();
        for (RowBlock b : blocks) parts.add(new RowBlock[] {b});
        return new HeldValidation(a, precision, keep, parts, 2);
    }

    private static JavaRDD<RowBlock> rdd(List<RowBlock> blocks) {
        JavaSparkContext jsc = TestSpark.jsc();
        return jsc.parallelize(blocks, blocks.size());
    }

    @Test
    void givenFloat64AndFloat32StoredBlocks_whenAFloat64RunValidatesThreeEpochs_thenEveryPassHasTheFormerBits() {
        ModelArchitecture a = mlp();
        for (boolean narrow : new boolean[] {false, true}) {
            List<RowBlock> blocks = dense(3, narrow);
            JavaRDD<RowBlock> rdd = rdd(blocks).cache();
            try (Scorer s = Scorer.forValidation(TestSpark.jsc(), a, Precision.FLOAT64, 1L << 20);
                 HeldValidation h = held(a, Precision.FLOAT64, 1L << 20, blocks)) {
                for (int epoch = 0; epoch < 3; epoch++) { // epoch 0 lays the chunks out, 1 and 2 score from them
                    double[] params = a.toNetwork().initParams(InitKind.HE_NORMAL, 100 + epoch);
                    ScoreMetrics want = twoPassReference(a, blocks, params);
                    String what = (narrow ? "float32-stored" : "float64-stored") + " epoch " + epoch;
                    assertSameFigures(want, s.evaluate(rdd, params, "test"), what + " (Spark job)");
                    assertSameFigures(want, h.evaluate(params), what + " (driver)");
                }
            } finally {
                rdd.unpersist(false);
            }
        }
    }

    @Test
    void givenAFloat32Run_whenValidating_thenItComputesInFloatCloseToFloat64AndKeptChunksChangeNoBit() {
        ModelArchitecture a = mlp();
        List<RowBlock> blocks = dense(5, true);
        JavaRDD<RowBlock> rdd = rdd(blocks).cache();
        double[] params = a.toNetwork().initParams(InitKind.HE_NORMAL, 9);
        try (Scorer kept = Scorer.forValidation(TestSpark.jsc(), a, Precision.FLOAT32, 1L << 20);
             Scorer read = Scorer.forValidation(TestSpark.jsc(), a, Precision.FLOAT32, 0);
             HeldValidation h = held(a, Precision.FLOAT32, 1L << 20, blocks)) {
            ScoreMetrics f64 = twoPassReference(a, blocks, params);
            ScoreMetrics first = kept.evaluate(rdd, params, "test");
            ScoreMetrics again = kept.evaluate(rdd, params, "test");
            assertSameFigures(read.evaluate(rdd, params, "test"), first, "float32, first pass");
            assertSameFigures(first, again, "float32, from the kept chunks");
            assertSameFigures(first, h.evaluate(params), "float32 on the driver");
            assertNotEquals(f64.meanLoss(), first.meanLoss(), "float32 must really compute in float");
            assertEquals(f64.meanLoss(), first.meanLoss(), 1e-5 * Math.abs(f64.meanLoss()));
            assertEquals(f64.multiclass().accuracy(), first.multiclass().accuracy(), 0.002);
        } finally {
            rdd.unpersist(false);
        }
    }

    @Test
    void givenBlocksBeyondTheKeepLimitAndSparseBlocks_whenValidatingTwice_thenTheFiguresAreTheFormerBits() {
        ModelArchitecture a = mlp();
        List<RowBlock> blocks = dense(7, false);
        double[] params = a.toNetwork().initParams(InitKind.HE_NORMAL, 13);
        // room for the first partition's block only
        long limit = (long) ROWS[0] * D;
        assertTrue((long) ROWS[2] * D > limit);
        for (List<RowBlock> form : List.of(blocks, sparse(blocks))) {
            ScoreMetrics want = twoPassReference(a, form, params); // sparse: the sparse kernels' own summation order
            JavaRDD<RowBlock> rdd = rdd(form).cache();
            try (Scorer s = Scorer.forValidation(TestSpark.jsc(), a, Precision.FLOAT64, limit);
                 HeldValidation h = held(a, Precision.FLOAT64, limit, form)) {
                for (int pass = 0; pass < 2; pass++) {
                    String what = (form == blocks ? "dense" : "sparse") + " pass " + pass;
                    assertSameFigures(want, s.evaluate(rdd, params, "test"), what + " (Spark job)");
                    assertSameFigures(want, h.evaluate(params), what + " (driver)");
                }
            } finally {
                rdd.unpersist(false);
            }
        }
    }
}
