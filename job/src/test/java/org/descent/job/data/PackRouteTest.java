package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.descent.math.scale.Scaler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two pack routes ({@link BlockPacker.Route}) give the same blocks in every stored form: pixel-like values (float32
 * pages) and Gaussian ones (float64 pages), scaled and rounded to float32, both sides of a holdout, more partitions than
 * input splits. PackingGoldenTest pins the unscaled float64 bits of both routes.
 */
class PackRouteTest {
    private static SparkSession spark;
    private static String pixels;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = TestSpark.session("PackRouteTest");
        StructType schema = new StructType().add("label", DataTypes.IntegerType).add("features",
                DataTypes.createArrayType(DataTypes.DoubleType, false));
        Random rnd = new Random(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            double[] x = new double[40];
            for (int j = 0; j < x.length; j++) x[j] = i < 1000 ? rnd.nextInt(256) : rnd.nextGaussian();
            rows.add(RowFactory.create(rnd.nextInt(10), x));
        }
        pixels = dir.resolve("px.parquet").toString();
        spark.createDataFrame(rows, schema).repartition(3).write().parquet(pixels);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @AfterEach
    void defaultRoute() {
        route(null);
    }

    private static void route(String r) {
        spark.sparkContext().setLocalProperty(BlockPacker.ROUTE_KEY, r);
    }

    private static DataSpec spec() {
        return new DataSpec(pixels, DataFormat.PARQUET, 0, LabelType.CLASS_INDEX, 0, "label", false, ',', "features",
                null, BadRowPolicy.FAIL);
    }

    /** Both holdout sides, unscaled and min-max scaled in float32, hashed in partition order. */
    private static String packed(String r) {
        route(r);
        LoadedData[] split = DataLoader.loadWithHoldout(spark, spec(), 0.25, 7, 3L);
        Scaler scaler = Scaler.of(org.descent.math.scale.ScalerKind.MIN_MAX, new double[40], filled(40, 255.0));
        String h = PackingGoldenTest.hash(split[0].blocks().collect()) + PackingGoldenTest.hash(split[1].blocks().collect())
                + PackingGoldenTest.hash(split[0].stored(scaler, Storage.FLOAT32).collect())
                + PackingGoldenTest.hash(split[1].stored(scaler, Storage.FLOAT64).collect());
        split[0].release();
        return h;
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Test
    void givenTheSameInput_whenPackedDirectAndThroughTheShuffle_thenEveryStoredFormHasTheSameBits() {
        String direct = packed("direct");
        assertEquals(direct, packed("shuffle"));
        assertEquals(direct, packed("auto")); // local mode: direct
    }

    @Test
    void givenTheShuffleRoute_whenPacked_thenEveryRowIsInItsPartitionInIdOrder() {
        route("shuffle");
        LoadedData d = DataLoader.load(spark, spec(), 7, 3L);
        List<RowBlock> blocks = d.blocks().collect();
        IdPartitioners.Seeded partitioner = new IdPartitioners.Seeded(3L, 7);
        long total = 0;
        for (int p = 0; p < blocks.size(); p++) {
            long[] ids = blocks.get(p).ids;
            for (int i = 0; i < ids.length; i++) {
                assertEquals(p, partitioner.getPartition(ids[i]));
                if (i > 0) assertTrue(ids[i] > ids[i - 1]);
            }
            total += ids.length;
        }
        assertEquals(1500, total);
        d.release();
    }

    @Test
    void givenAnUnknownRoute_whenLoading_thenTheErrorNamesTheKeyAndTheChoices() {
        route("sideways");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.load(spark, spec(), 2, 3L));
        assertTrue(e.getMessage().contains(BlockPacker.ROUTE_KEY) && e.getMessage().contains("auto, direct or shuffle"),
                e.getMessage());
    }
}
