package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import org.descent.job.data.BadRowPolicy;
import org.descent.job.data.DataLoader;
import org.descent.job.data.LabelType;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowBlock;
import org.descent.job.data.Storage;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * issue 13 item 1: one cached copy of each partition's features, in the width {@code data.storage} asks for. The
 * cached size is what Spark's block manager reports for the persisted blocks (its size estimate of the real
 * objects), checked against 1.2 x rows x features x bytes per value; and what a float32 cache does to training.
 */
class CompactCacheTest {
    private static final int ROWS = 3000;
    private static final int FEATURES = 60;

    @TempDir
    static Path dir;

    private static SparkSession spark;
    private static LoadedData data;

    @BeforeAll
    static void load() throws Exception {
        spark = TestSpark.session();
        SplittableRandom r = new SplittableRandom(7);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < ROWS; i++) {
            csv.append(r.nextInt(3));
            for (int j = 0; j < FEATURES; j++) csv.append(',').append(r.nextDouble() * 10 - 5);
            csv.append('\n');
        }
        Path p = dir.resolve("dense.csv");
        java.nio.file.Files.writeString(p, csv);
        data = DataLoader.load(spark, org.descent.job.data.TestSpark.csv(p.toString(), false, "0", null, 0,
                LabelType.CLASS_INDEX, 0, BadRowPolicy.FAIL), 3, 5L);
    }

    /** Persists the blocks as the trainer does and returns Spark's in-memory size of them. */
    private static long cachedSize(JavaRDD<RowBlock> blocks) {
        JavaRDD<RowBlock> cached = blocks.persist(StorageLevel.MEMORY_ONLY());
        try {
            assertEquals(ROWS, cached.map(b -> (long) b.rows).reduce(Long::sum));
            // the storage figures come from the status store, which the listener bus updates asynchronously
            try {
                spark.sparkContext().listenerBus().waitUntilEmpty();
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the listener bus did not drain", e);
            }
            for (RDDInfo info : spark.sparkContext().getRDDStorageInfo()) {
                if (info.id() == cached.id()) {
                    assertEquals(3, info.numCachedPartitions(), "every block in memory");
                    return info.memSize();
                }
            }
            throw new AssertionError("the blocks are not cached");
        } finally {
            cached.unpersist(true);
        }
    }

    @Test
    void givenDenseRows_whenCachedInFloat64AndFloat32_thenSparkHoldsAtMost1Point2TimesTheValueBytes() {
        Scaler scaler = FeatureScaling.fit(data.blocks(), ScalerKind.STANDARD, FEATURES);
        for (Storage s : new Storage[] {Storage.FLOAT64, Storage.FLOAT32}) {
            JavaRDD<RowBlock> stored = FeatureScaling.apply(data.blocks(), scaler, s);
            long spark = cachedSize(stored);
            long own = stored.map(RowBlock::cachedBytes).reduce(Long::sum);
            double goal = 1.2 * ROWS * FEATURES * s.bytesPerValue();
            System.out.printf(Locale.ROOT, "%s: Spark's cached size %d bytes (%.1f per row), blocks' own count %d;"
                    + " goal <= %.0f%n", s, spark, (double) spark / ROWS, own, goal);
            assertTrue(spark <= goal, s + ": " + spark + " cached bytes > " + goal);
            assertTrue(spark >= (long) ROWS * FEATURES * s.bytesPerValue(), s + ": the features are cached: " + spark);
            assertTrue(own <= goal, s + ": " + own);
        }
    }

    @Test
    void givenScaledRows_whenStoredInFloat32_thenEachValueIsTheFloat64ScaledValueRoundedOnce() {
        Scaler scaler = FeatureScaling.fit(data.blocks(), ScalerKind.STANDARD, FEATURES);
        List<RowBlock> packed = data.blocks().collect();
        List<RowBlock> f64 = FeatureScaling.apply(data.blocks(), scaler, Storage.FLOAT64).collect();
        List<RowBlock> f32 = FeatureScaling.apply(data.blocks(), scaler, Storage.FLOAT32).collect();
        for (int p = 0; p < packed.size(); p++) {
            RowBlock raw = packed.get(p);
            assertEquals(Storage.FLOAT32, f32.get(p).storage());
            assertEquals(Storage.FLOAT64, f64.get(p).storage());
            for (int i = 0; i < raw.rows; i++) {
                double[] row = new double[FEATURES];
                for (int j = 0; j < FEATURES; j++) row[j] = raw.feature(i, j);
                scaler.transformRow(row);
                for (int j = 0; j < FEATURES; j++) {
                    assertEquals(row[j], f64.get(p).feature(i, j), 0.0, "float64: the scaler's own bits");
                    assertEquals((double) (float) row[j], f32.get(p).feature(i, j), 0.0, "float32: rounded once");
                }
            }
            // a step's gather and an evaluation chunk's copy hand the network the same column-major batch
            int m = Math.min(37, raw.rows);
            int[] perm = new int[raw.rows];
            for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
            double[] x = new double[m * FEATURES];
            f32.get(p).gatherRows(perm, 0, m, x);
            double[] c = new double[m * FEATURES];
            f32.get(p).copyRows(raw.rows - m, m, c);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < FEATURES; j++) {
                    assertEquals(f32.get(p).feature(perm[i], j), x[i + j * m], 0.0);
                    assertEquals(f32.get(p).feature(raw.rows - m + i, j), c[i + j * m], 0.0);
                }
            }
        }
    }

    private static final String MLP = """
            data.label-type = class-index
            optimizer { kind = adam, learning-rate = 0.02 }
            training { epochs = 12, batch-size = 64 }
            model { type = mlp, hidden-layers = [32, 32], activation = relu, init = he-normal }
            """;

    private static TrainingResult train(String precision, String storage, InMemoryData[] d) {
        return new Trainer(TestSpark.session(), TestConfigs.of(MLP, "training.precision=" + precision,
                "data.storage=" + storage)).train(d[0].toLoaded(3), d[1].toLoaded(3));
    }

    @Test
    void givenXorData_whenTheCacheIsFloat32_thenFloat32TrainingIsBitIdenticalAndFloat64KeepsItsBar() {
        InMemoryData[] d = InMemoryData.xor(3000, 43).split(2400);
        TrainingResult f32auto = train("float32", "auto", d);
        TrainingResult f32wide = train("float32", "float64", d);
        assertArrayEquals(f32wide.params(), f32auto.params(), 0.0,
                "a float32 run rounds its input to float32 anyway: the float32 cache changes no bit");
        TrainingResult f64 = train("float64", "auto", d);
        TrainingResult f64narrow = train("float64", "float32", d);
        double acc = f64.finalMetrics().get("validationAccuracy");
        double accNarrow = f64narrow.finalMetrics().get("validationAccuracy");
        System.out.printf(Locale.ROOT, "xor mlp float64: accuracy %.4f with a float64 cache, %.4f with a float32 one%n",
                acc, accNarrow);
        assertTrue(accNarrow >= 0.93, "float64 training on a float32 cache: held-out accuracy " + accNarrow);
        assertTrue(Math.abs(accNarrow - acc) <= 0.01, accNarrow + " vs " + acc);
    }
}
