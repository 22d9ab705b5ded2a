package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.HashPartitioner;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.descent.math.scale.FeatureStats;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Coded dense blocks ({@link CodedRows}): pixel-like Parquet (k / 255.0, three files whose value sets are disjoint
 * apart from 0, 256 values in all, so the blocks merge three chunk tables) against the same values held as plain
 * float64 arrays: every gathered batch, copied batch, feature, stored form and scaling statistic has the same bits;
 * one more distinct value falls back to plain arrays; blocks survive Java serialization and a disk round trip.
 */
class CodedRowsTest {
    private static final int COLS = 16;
    private static final int ROWS_PER_FILE = 300;
    private static SparkSession spark;
    /** The fixture's feature values by row id (input order: files a=0, 1, 2). */
    private static final List<double[]> X = new ArrayList<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = TestSpark.session("CodedRowsTest");
        Random rnd = new Random(17);
        StructType schema = new StructType().add("label", DataTypes.IntegerType).add("features",
                DataTypes.createArrayType(DataTypes.DoubleType, false));
        List<Row> extra = new ArrayList<>();
        for (int f = 0; f < 3; f++) { // file f: 0 and k in [lo, hi): 100, 100 and 56 codes, 256 values in all
            int lo = f == 0 ? 0 : f == 1 ? 100 : 200;
            int hi = f == 0 ? 100 : f == 1 ? 200 : 256;
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < ROWS_PER_FILE; i++) {
                double[] x = new double[COLS];
                for (int j = 0; j < COLS; j++) x[j] = rnd.nextInt(3) == 0 ? 0.0 : (lo + rnd.nextInt(hi - lo)) / 255.0;
                X.add(x);
                rows.add(RowFactory.create(rnd.nextInt(4), x));
            }
            spark.createDataFrame(rows, schema).coalesce(1).write()
                    .parquet(dir.resolve("px.parquet").resolve("a=" + f).toString());
            if (f == 2) { // the same rows plus one with a 257th value (0.5 is no k / 255)
                extra.addAll(rows);
                double[] x = new double[COLS];
                x[3] = 0.5;
                extra.add(RowFactory.create(1, x));
            } else {
                spark.createDataFrame(rows, schema).coalesce(1).write()
                        .parquet(dir.resolve("px257.parquet").resolve("a=" + f).toString());
            }
        }
        spark.createDataFrame(extra, schema).coalesce(1).write().parquet(dir.resolve("px257.parquet").resolve("a=2").toString());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @AfterEach
    void defaultRoute() {
        spark.sparkContext().setLocalProperty(BlockPacker.ROUTE_KEY, null);
    }

    private static DataSpec parquet(String name) {
        return new DataSpec(dir.resolve(name).toString(), DataFormat.PARQUET, 0, LabelType.CLASS_INDEX, 0,
                "label", false, ',', "features", null, BadRowPolicy.FAIL);
    }

    /** The same values as a plain float64 row-major block (labels and ids shared). */
    private static RowBlock plain(RowBlock b) {
        return RowBlock.rowMajor(b.rows, b.cols, b.denseRowMajor(), b.labels, b.ids);
    }

    private static Scaler standard(List<RowBlock> blocks) {
        FeatureStats s = new FeatureStats(COLS);
        for (RowBlock b : blocks) s.merge(plain(b).addTo(new FeatureStats(COLS)));
        return Scaler.fit(ScalerKind.STANDARD, s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"direct", "shuffle"})
    void givenPixelParquetInThreeFiles_whenPacked_thenEveryBlockIsCodedAndHoldsTheParsedValues(String route) {
        spark.sparkContext().setLocalProperty(BlockPacker.ROUTE_KEY, route);
        List<RowBlock> blocks = DataLoader.load(spark, parquet("px.parquet"), 3, 42L).blocks().collect();
        int rows = 0;
        for (RowBlock b : blocks) {
            assertTrue(b.isCoded(), "block of " + b.rows + " rows");
            assertEquals(Storage.FLOAT64, b.storage());
            assertEquals((long) b.rows * COLS, b.storedValues());
            assertTrue(b.cachedBytes() <= 16L * b.rows + (long) b.rows * COLS + 8L * 256, "bytes " + b.cachedBytes());
            for (int i = 0; i < b.rows; i++) {
                double[] want = X.get((int) b.ids[i]);
                for (int j = 0; j < COLS; j++) {
                    assertEquals(Double.doubleToRawLongBits(want[j]), Double.doubleToRawLongBits(b.feature(i, j)));
                }
            }
            rows += b.rows;
        }
        assertEquals(X.size(), rows);
    }

    @ParameterizedTest
    @CsvSource({"float64, false", "float64, true", "float32, false", "float32, true"})
    void givenCodedAndPlainBlocks_whenStoredAndGathered_thenEveryBatchHasTheSameBits(String storageName, boolean scaled) {
        LoadedData d = DataLoader.load(spark, parquet("px.parquet"), 2, 42L);
        List<RowBlock> raw = d.blocks().collect();
        Storage storage = Storage.valueOf(storageName.toUpperCase(java.util.Locale.ROOT));
        Scaler scaler = scaled ? standard(raw) : null;
        List<RowBlock> coded = d.stored(scaler, storage).collect();
        Random rnd = new Random(5);
        for (int p = 0; p < raw.size(); p++) {
            RowBlock c = coded.get(p);
            RowBlock want = plain(raw.get(p)).stored(scaler, storage);
            RowBlock viaBlock = raw.get(p).stored(scaler, storage); // a coded block's own stored(): the same again
            assertTrue(c.isCoded() && viaBlock.isCoded());
            assertEquals(want.storage(), c.storage());
            assertEquals(want.storedValues(), c.storedValues());
            assertArrayEquals(want.denseRowMajor(), c.denseRowMajor());
            assertArrayEquals(want.denseRowMajor(), viaBlock.denseRowMajor());
            assertArrayEquals(want.denseHead(7).denseRowMajor(), c.denseHead(7).denseRowMajor());
            int[] perm = new int[c.rows];
            for (int i = 0; i < perm.length; i++) perm[i] = i;
            for (int i = perm.length - 1; i > 0; i--) {
                int k = rnd.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[k];
                perm[k] = t;
            }
            for (int m : new int[] {1, 13, 64}) { // 13: a partial group of 8
                int start = rnd.nextInt(c.rows - m);
                double[] x = new double[m * COLS], y = new double[m * COLS];
                want.gatherRows(perm, start, m, x);
                c.gatherRows(perm, start, m, y);
                assertArrayEquals(x, y);
                float[] xf = new float[m * COLS], yf = new float[m * COLS];
                want.gatherRows(perm, start, m, xf);
                c.gatherRows(perm, start, m, yf);
                assertArrayEquals(xf, yf);
                want.copyRows(start, m, x);
                c.copyRows(start, m, y);
                assertArrayEquals(x, y);
            }
        }
    }

    @Test
    void givenAScaledCodedBlock_whenRoundedOrScaledAgain_thenTheValuesArePlainBlocksBits() {
        List<RowBlock> raw = DataLoader.load(spark, parquet("px.parquet"), 2, 42L).blocks().collect();
        Scaler scaler = standard(raw);
        Scaler again = Scaler.of(ScalerKind.MIN_MAX, filled(0.25), filled(3.0));
        for (RowBlock b : raw) {
            RowBlock scaled = b.stored(scaler, Storage.FLOAT64);
            RowBlock want = plain(b).stored(scaler, Storage.FLOAT64);
            RowBlock rounded = scaled.stored(null, Storage.FLOAT32);
            assertTrue(rounded.isCoded());
            assertArrayEquals(want.stored(null, Storage.FLOAT32).denseRowMajor(), rounded.denseRowMajor());
            RowBlock twice = scaled.stored(again, Storage.FLOAT64);
            assertFalse(twice.isCoded());
            assertArrayEquals(want.stored(again, Storage.FLOAT64).denseRowMajor(), twice.denseRowMajor());
        }
    }

    private static double[] filled(double v) {
        double[] d = new double[COLS];
        java.util.Arrays.fill(d, v);
        return d;
    }

    @Test
    void givenCodedBlocks_whenScalingStatisticsAreAdded_thenTheyHaveThePlainBlocksBits() {
        for (RowBlock b : DataLoader.load(spark, parquet("px.parquet"), 2, 42L).blocks().collect()) {
            assertTrue(b.isCoded());
            FeatureStats c = b.addTo(new FeatureStats(COLS));
            FeatureStats p = plain(b).addTo(new FeatureStats(COLS));
            assertEquals(p.count(), c.count());
            assertArrayEquals(p.means(), c.means());
            assertArrayEquals(p.mins(), c.mins());
            assertArrayEquals(p.maxs(), c.maxs());
            for (int j = 0; j < COLS; j++) assertEquals(Double.doubleToRawLongBits(p.m2(j)), Double.doubleToRawLongBits(c.m2(j)));
        }
    }

    @Test
    void givenA257thDistinctValue_whenPacked_thenTheBlocksFallBackToPlainArraysWithTheSameValues() {
        spark.sparkContext().setLocalProperty(BlockPacker.ROUTE_KEY, "direct"); // every block merges every chunk's table
        List<RowBlock> blocks = DataLoader.load(spark, parquet("px257.parquet"), 2, 42L).blocks().collect();
        int rows = 0;
        for (RowBlock b : blocks) {
            assertFalse(b.isCoded());
            for (int i = 0; i < b.rows; i++) {
                double[] want = b.ids[i] < X.size() ? X.get((int) b.ids[i]) : null;
                for (int j = 0; j < COLS; j++) {
                    double v = want != null ? want[j] : j == 3 ? 0.5 : 0.0;
                    assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(b.feature(i, j)));
                }
            }
            rows += b.rows;
        }
        assertEquals(X.size() + 1, rows);
    }

    private static ParsedChunk chunk(int firstValue, int values, boolean sparse) {
        ParsedChunk c = new ParsedChunk(new RunStats("f" + firstValue, 0));
        for (int k = 0; k < values; k += 4) {
            double[] x = new double[4];
            for (int q = 0; q < 4; q++) x[q] = firstValue + Math.min(k + q, values - 1);
            c.add(new ParsedRow(0, sparse ? new int[] {1, 3, 5, 7} : null, x, null));
        }
        return c;
    }

    private static CodedRows pack(int cols, ParsedChunk... chunks) {
        List<BlockPacker.Placed> placed = new ArrayList<>();
        long first = 0;
        for (ParsedChunk c : chunks) {
            placed.add(new BlockPacker.Placed(c, first));
            first += c.rows;
        }
        return CodedRows.pack(placed, 0, BlockPacker.Placement.all(new HashPartitioner(1)), cols, (int) first);
    }

    @Test
    void givenChunkTables_whenMerged_thenUpTo256ValuesAreCodedAndThe257thIsNot() {
        assertNotNull(pack(4, chunk(1, 128, false), chunk(129, 128, false))); // 256 values in two tables
        assertNull(pack(4, chunk(1, 128, false), chunk(129, 129, false))); // 257
        assertNotNull(pack(4, chunk(1, 256, false))); // 256 values in one table
        CodedRows sparse = pack(8, chunk(1, 255, true)); // 255 values + the 0.0 of the left-out features
        assertNotNull(sparse);
        assertEquals(1.0, sparse.value(0, 0));
        assertEquals(0.0, sparse.value(0, 1));
        assertEquals(4.0, sparse.value(0, 6));
        assertEquals(0.0, sparse.value(0, 7));
        assertEquals(255.0, sparse.value(63, 6));
        assertNull(pack(8, chunk(1, 256, true))); // 256 values + 0.0
        assertNull(pack(5, chunk(1, 256, false))); // rows of 4 values in a block of 5 features: 0.0 as well
    }

    @Test
    void givenAScaleThatOverflowsFloat32_whenStored_thenTheCodedBlockRefusesItAsThePlainOneDoes() {
        RowBlock b = DataLoader.load(spark, parquet("px.parquet"), 2, 42L).blocks().collect().get(0);
        double[] scale = new double[COLS];
        java.util.Arrays.fill(scale, 1e-300);
        Scaler tiny = Scaler.of(ScalerKind.STANDARD, new double[COLS], scale);
        DataException coded = assertThrows(DataException.class, () -> b.stored(tiny, Storage.FLOAT32));
        DataException plain = assertThrows(DataException.class, () -> plain(b).stored(tiny, Storage.FLOAT32));
        assertEquals(plain.getMessage(), coded.getMessage());
    }

    @Test
    void givenCodedBlocks_whenJavaSerializedAndCachedOnDisk_thenTheyComeBackWithTheSameBits() throws Exception {
        LoadedData d = DataLoader.load(spark, parquet("px.parquet"), 2, 42L);
        Scaler scaler = standard(d.blocks().collect());
        for (Storage storage : new Storage[] {Storage.FLOAT64, Storage.FLOAT32}) {
            var stored = d.stored(scaler, storage);
            List<RowBlock> before = stored.collect();
            var disk = stored.persist(StorageLevel.DISK_ONLY());
            List<RowBlock> fromDisk = disk.collect();
            disk.unpersist(true);
            for (int p = 0; p < before.size(); p++) {
                RowBlock b = before.get(p);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                    out.writeObject(b);
                }
                RowBlock back;
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                    back = (RowBlock) in.readObject();
                }
                assertTrue(b.isCoded() && back.isCoded() && fromDisk.get(p).isCoded());
                // codes, labels and ids, one scaled table per feature, and the stream's class descriptions
                long held = (long) b.rows * COLS + 16L * b.rows + 8L * COLS * 256;
                assertTrue(bytes.size() < held + 2048, "serialized " + bytes.size() + " bytes for " + held + " held");
                assertEquals(b.storage(), back.storage());
                assertArrayEquals(b.ids, back.ids);
                assertArrayEquals(b.denseRowMajor(), back.denseRowMajor());
                assertArrayEquals(b.denseRowMajor(), fromDisk.get(p).denseRowMajor());
            }
        }
    }
}
