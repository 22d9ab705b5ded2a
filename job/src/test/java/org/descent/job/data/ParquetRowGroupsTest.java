package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ParquetRowGroups} (the row-group reader of the array layout) against Spark's Parquet scan on the same files:
 * the same parsed rows in (file, row) order, the same run statistics, bad rows and first-bad-row message, over element
 * and label types, nulls, empty arrays, several files, several row groups and several splits per file.
 */
class ParquetRowGroupsTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = TestSpark.session("ParquetRowGroupsTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @AfterEach
    void resetSplits() {
        spark.conf().unset("spark.sql.files.maxPartitionBytes");
    }

    /** Seeded rows: label, features of {@code width} (some rows bad when {@code bad}: nulls, NaN, wrong width, empty). */
    private static List<Row> rows(int n, int width, DataType labelType, DataType elementType, boolean bad, long seed) {
        Random r = new Random(seed);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object[] f = new Object[width];
            for (int j = 0; j < width; j++) f[j] = element(elementType, r.nextInt(7) == 0 ? 0.0 : r.nextGaussian() * 3);
            Object label = element(labelType, r.nextInt(4));
            int kind = bad ? r.nextInt(12) : 99;
            Object features = f;
            if (kind == 0) features = null;
            else if (kind == 1) features = new Object[0];
            else if (kind == 2) f[r.nextInt(width)] = null;
            else if (kind == 3) label = null;
            else if (kind == 4 && elementType == DataTypes.DoubleType) f[r.nextInt(width)] = Double.NaN;
            else if (kind == 5) features = java.util.Arrays.copyOf(f, width + 1);
            out.add(RowFactory.create(label, features));
        }
        return out;
    }

    private static Object element(DataType t, double v) {
        if (t == DataTypes.FloatType) return (float) v;
        if (t == DataTypes.IntegerType) return (int) Math.round(v);
        if (t == DataTypes.LongType) return Math.round(v);
        return v;
    }

    /** Writes {@code files} Parquet files with small row groups (several per file). */
    private String write(String name, DataType labelType, DataType elementType, boolean bad, int files) {
        StructType schema = new StructType().add("label", labelType, true)
                .add("features", DataTypes.createArrayType(elementType, true), true);
        String p = dir.resolve("with space").resolve(name).toString();
        spark.createDataFrame(rows(900, 12, labelType, elementType, bad, 7L), schema).repartition(files)
                .write().option("parquet.block.size", 4096).parquet(p);
        return p;
    }

    private static DataSpec spec(String p, int numFeatures, BadRowPolicy policy) {
        return new DataSpec(p, DataFormat.PARQUET, numFeatures, LabelType.REAL, 0, "label", false, ',', "features",
                null, policy);
    }

    /** The parse pass's outcome on one path: statistics, first bad row and every valid row in (file, row) order. */
    private static String scan(DataSpec spec, boolean rowGroups, boolean scoring) {
        Source source = ParquetSource.open(spark, spec, new LabelRules(spec.labelType(), spec.numClasses()), scoring,
                rowGroups);
        var parsed = Scan.parse(source, spec.badRows().mode() == BadRowPolicy.Mode.FAIL).cache();
        Scan s = Scan.of(source, parsed);
        List<ParsedChunk> chunks = new ArrayList<>(parsed.collect());
        parsed.unpersist(false);
        // under FAIL a run stops parsing at its first bad row and the read fails with that row's message, all it reports;
        // the counts after it depend on where runs end (a split of Spark's scan, a row group here)
        if (spec.badRows().mode() == BadRowPolicy.Mode.FAIL && s.firstBadMessage != null) return "FAIL " + s.firstBadMessage;
        chunks.sort(Comparator.comparing((ParsedChunk c) -> c.stats.file).thenComparingLong(c -> c.stats.runStart));
        StringBuilder b = new StringBuilder();
        b.append(s.valid).append(' ').append(s.bad).append(' ').append(s.badCounts).append(' ').append(s.firstBadMessage)
                .append(' ').append(s.maxLabel).append(' ').append(s.minWidth).append('@').append(s.minWidthAt)
                .append(' ').append(s.maxWidth).append('@').append(s.maxWidthAt).append(' ').append(s.nonZeros).append('\n');
        for (ParsedChunk c : chunks) {
            for (int i = 0; i < c.rows; i++) {
                b.append(c.labels[i]).append(':');
                for (int k = 0; k < c.length(i); k++) b.append(Double.doubleToRawLongBits(c.value(i, k))).append(',');
                b.append('\n');
            }
        }
        return b.toString();
    }

    private void assertSameAsSparkScan(DataSpec spec, boolean scoring) {
        String spark = scan(spec, false, scoring);
        String rowGroups = scan(spec, true, scoring);
        assertTrue(spark.length() > 100, spark);
        assertEquals(spark, rowGroups);
    }

    @Test
    void givenDoubleArraysWithBadRows_whenReadFromRowGroups_thenSameRowsStatsAndBadRowsAsSparkScan() {
        String p = write("double", DataTypes.IntegerType, DataTypes.DoubleType, true, 3);
        assertSameAsSparkScan(spec(p, 12, new BadRowPolicy(BadRowPolicy.Mode.SKIP, 1.0)), false);
        assertSameAsSparkScan(spec(p, 0, new BadRowPolicy(BadRowPolicy.Mode.SKIP, 1.0)), false);
        assertSameAsSparkScan(spec(p, 12, BadRowPolicy.FAIL), false);
    }

    @Test
    void givenOtherElementAndLabelTypes_whenReadFromRowGroups_thenSameRowsAsSparkScan() {
        DataType[][] types = {{DataTypes.LongType, DataTypes.FloatType}, {DataTypes.DoubleType, DataTypes.IntegerType},
            {DataTypes.FloatType, DataTypes.LongType}};
        for (DataType[] t : types) {
            String p = write(t[0].typeName() + "-" + t[1].typeName(), t[0], t[1], true, 2);
            assertSameAsSparkScan(spec(p, 12, new BadRowPolicy(BadRowPolicy.Mode.SKIP, 1.0)), false);
        }
    }

    @Test
    void givenSeveralSplitsPerFile_whenReadFromRowGroups_thenEveryRowOnceWithItsFileRowIndex() {
        String p = write("splits", DataTypes.IntegerType, DataTypes.DoubleType, false, 1);
        spark.conf().set("spark.sql.files.maxPartitionBytes", "8k"); // several splits, each with its row groups
        assertSameAsSparkScan(spec(p, 12, BadRowPolicy.FAIL), false);
        assertEquals(900, DataLoader.load(spark, spec(p, 12, BadRowPolicy.FAIL), 2, 3L).count());
    }

    @Test
    void givenPlainDeltaV2AndSmallPages_whenReadFromRowGroups_thenSameRowsAsSparkScan() {
        // the page decoder (ParquetPages): PLAIN values (no dictionary), data page v2 (its levels outside the
        // compressed data; int columns DELTA_BINARY_PACKED, read by parquet-mr's reader), many pages per row group
        // (rows straddle pages in v1), dictionaries with a few entries (narrow bit widths)
        String[][] writes = {{"parquet.enable.dictionary", "false", "parquet.writer.version", "v1"},
            {"parquet.enable.dictionary", "false", "parquet.writer.version", "v2"},
            {"parquet.enable.dictionary", "true", "parquet.writer.version", "v2"},
            {"parquet.enable.dictionary", "true", "parquet.writer.version", "v1"}};
        DataType[] elements = {DataTypes.DoubleType, DataTypes.IntegerType, DataTypes.LongType, DataTypes.FloatType};
        for (int w = 0; w < writes.length; w++) {
            for (DataType e : elements) {
                StructType schema = new StructType().add("label", DataTypes.IntegerType, true)
                        .add("features", DataTypes.createArrayType(e, true), true);
                String p = dir.resolve("pages-" + w + "-" + e.typeName()).toString();
                spark.createDataFrame(rows(700, 40, DataTypes.IntegerType, e, true, 11L + w), schema).repartition(2)
                        .write().option(writes[w][0], writes[w][1]).option(writes[w][2], writes[w][3])
                        .option("parquet.page.size", 512).option("parquet.page.row.count.limit", 7)
                        .option("parquet.block.size", 16384).parquet(p);
                assertSameAsSparkScan(spec(p, 40, new BadRowPolicy(BadRowPolicy.Mode.SKIP, 1.0)), false);
            }
        }
    }

    @Test
    void givenRunLengthAndBitPackedRuns_whenDecoded_thenTheValuesParquetEncoded() {
        // RLE run of 5 x 3 (width 2), then one bit-packed group of 8 values 0..7 (width 3), LSB first
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(new byte[] {10, 3, 3, (byte) 0x88, (byte) 0xC6, (byte) 0xFA});
        int[] rle = new int[5];
        ParquetPages.hybrid(b, 0, 2, 2, 5, rle);
        int[] packed = new int[8];
        ParquetPages.hybrid(b, 2, 6, 3, 8, packed);
        assertEquals("[3, 3, 3, 3, 3]", java.util.Arrays.toString(rle));
        assertEquals("[0, 1, 2, 3, 4, 5, 6, 7]", java.util.Arrays.toString(packed));
        assertEquals(0, ParquetPages.bitWidth(0));
        assertEquals(2, ParquetPages.bitWidth(3));
    }

    @Test
    void givenNoLabelColumn_whenScoredFromRowGroups_thenSameRowsAsSparkScan() {
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        String p = dir.resolve("unlabelled").toString();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) rows.add(RowFactory.create((Object) new double[] {i, -i, 0.5 * i}));
        spark.createDataFrame(rows, schema).repartition(2).write().parquet(p);
        assertSameAsSparkScan(spec(p, 3, BadRowPolicy.FAIL), true);
    }

    @Test
    void givenLabelAsPartitionColumn_whenLoaded_thenFallsBackToSparkScanWithSameRows() {
        StructType schema = new StructType().add("label", DataTypes.IntegerType, false)
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        String p = dir.resolve("partitioned").toString();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) rows.add(RowFactory.create(i % 2, new double[] {i, 2.0 * i}));
        spark.createDataFrame(rows, schema).write().partitionBy("label").parquet(p);
        DataSpec spec = spec(p, 2, BadRowPolicy.FAIL);
        LoadedData d = DataLoader.load(spark, spec, 2, 3L);
        assertEquals(200, d.count());
        double labelSum = 0;
        for (double[] r : TestSpark.rows(d)) {
            assertEquals(r[2] % 2, r[1], 0.0); // the label from the directory name: row i is in label=i%2
            labelSum += r[1];
        }
        assertEquals(100.0, labelSum);
    }
}
