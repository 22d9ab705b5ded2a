package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvParquetLoadTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = TestSpark.session("CsvParquetLoadTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static DataSpec csv(String p, int numFeatures, int numClasses) {
        return TestSpark.csv(p, true, "y", null, numFeatures, LabelType.CLASS_INDEX, numClasses, BadRowPolicy.FAIL);
    }

    private String csvFailure(String name, int numFeatures, int numClasses, String... lines) throws Exception {
        String p = TestSpark.write(dir.resolve(name), lines);
        return assertThrows(DataException.class, () -> DataLoader.load(spark, csv(p, numFeatures, numClasses), 2, 1L))
                .getMessage();
    }

    @Test
    void givenCsvWithHeaderAndNamedLabel_whenLoaded_thenOtherColumnsAreFeatures() throws Exception {
        String p = TestSpark.write(dir.resolve("h.csv"), "a,y,b", "1.5,1,2", "\"3\",0,4", "", "5,2,6");
        LoadedData d = DataLoader.load(spark, csv(p, 0, 0), 2, 1L);
        assertEquals(2, d.numFeatures());
        assertEquals(3, d.numClasses());
        List<double[]> rows = TestSpark.rows(d);
        assertArrayEquals(new double[] {0, 1, 1.5, 2}, rows.get(0));
        assertArrayEquals(new double[] {1, 0, 3, 4}, rows.get(1));
        assertArrayEquals(new double[] {2, 2, 5, 6}, rows.get(2));
    }

    @Test
    void givenCsvWithoutHeaderAndSemicolons_whenLabelIndexGiven_thenParsed() throws Exception {
        String p = TestSpark.write(dir.resolve("n.csv"), "1;2;0.5", "3;4;-1");
        DataSpec spec = new DataSpec(p, DataFormat.CSV, 0, LabelType.REAL, 0, "2", false, ';', null, null, BadRowPolicy.FAIL);
        List<double[]> rows = TestSpark.rows(DataLoader.load(spark, spec, 1, 1L));
        assertArrayEquals(new double[] {0, 0.5, 1, 2}, rows.get(0));
        assertArrayEquals(new double[] {1, -1, 3, 4}, rows.get(1));
    }

    @Test
    void givenNonNumericCsvField_whenLoaded_thenFailsNamingColumnAndLine() throws Exception {
        String m = csvFailure("nn.csv", 0, 0, "a,y,b", "1,0,2", "1,1,abc");
        assertTrue(m.contains("non-numeric value in column 'b' 'abc' at ") && m.contains("nn.csv:3"), m);
    }

    @Test
    void givenWrongColumnCount_whenLoaded_thenFailsNamingCounts() throws Exception {
        String m = csvFailure("cc.csv", 0, 0, "a,y,b", "1,0,2", "1,1");
        assertTrue(m.contains("expected 3 columns, found 2 at ") && m.contains("cc.csv:3"), m);
    }

    @Test
    void givenNaNCsvFeature_whenLoaded_thenFailsAsNonFinite() throws Exception {
        String m = csvFailure("nan.csv", 0, 0, "a,y,b", "NaN,0,2");
        assertTrue(m.contains("non-finite value NaN in column 'a'") && m.contains("nan.csv:2"), m);
    }

    @Test
    void givenCsvLabelOutsideClasses_whenLoaded_thenFails() throws Exception {
        String m = csvFailure("lab.csv", 0, 2, "a,y,b", "1,0,2", "1,1,2", "1,7,2");
        assertTrue(m.contains("label 7 outside classes 0..1 at ") && m.contains("lab.csv:4"), m);
    }

    @Test
    void givenConfiguredFeatureCountDiffersFromHeader_whenLoaded_thenFailsNamingBoth() throws Exception {
        String m = csvFailure("fc.csv", 5, 0, "a,y,b", "1,0,2");
        assertTrue(m.contains("has 2 feature columns but data.num-features = 5"), m);
    }

    @Test
    void givenMissingLabelColumn_whenLoaded_thenFailsListingHeader() throws Exception {
        String p = TestSpark.write(dir.resolve("ml.csv"), "a,b", "1,2");
        DataSpec spec = TestSpark.csv(p, true, "target", null, 0, LabelType.REAL, 0, BadRowPolicy.FAIL);
        String m = assertThrows(DataException.class, () -> DataLoader.load(spark, spec, 1, 1L)).getMessage();
        assertTrue(m.contains("data.label-column 'target' not found in the header") && m.contains("[a, b]"), m);
    }

    @Test
    void givenCsvWithIdColumn_whenScored_thenOriginalIdsKeptInInputOrder() throws Exception {
        String p = TestSpark.write(dir.resolve("id.csv"), "key,y,a", "u1,0,1", "u2,1,2", "u3,0,3", "u4,1,4", "u5,1,5");
        DataSpec spec = TestSpark.csv(p, true, "y", "key", 0, LabelType.CLASS_INDEX, 0, BadRowPolicy.FAIL);
        ScoringData s = DataLoader.loadForScoring(spark, spec, 2);
        List<ScoringBlock> blocks = s.blocks().collect();
        assertEquals(2, blocks.size());
        StringBuilder ids = new StringBuilder();
        StringBuilder feats = new StringBuilder();
        for (ScoringBlock b : blocks) {
            ids.append(String.join(",", b.sourceIds())).append('|');
            for (int i = 0; i < b.block().rows; i++) feats.append((int) b.block().feature(i, 0));
        }
        assertEquals("u1,u2,u3|u4,u5|", ids.toString());
        assertEquals("12345", feats.toString());
        assertEquals(5, s.asLoadedData().count());
    }

    @Test
    void givenUnlabelledCsv_whenScored_thenLabelsAreNaN() throws Exception {
        String p = TestSpark.write(dir.resolve("nol.csv"), "a,b", "1,2", "3,4");
        DataSpec spec = TestSpark.csv(p, true, "y", null, 0, LabelType.CLASS_INDEX, 0, BadRowPolicy.FAIL);
        RowBlock b = DataLoader.loadForScoring(spark, spec, 1).blocks().first().block();
        assertEquals(2, b.cols);
        assertTrue(Double.isNaN(b.labels[0]) && Double.isNaN(b.labels[1]));
    }

    private String parquet(String name, StructType schema, Row... rows) {
        String p = dir.resolve(name).toString();
        spark.createDataFrame(Arrays.asList(rows), schema).coalesce(1).write().parquet(p);
        return p;
    }

    private static final StructType ARRAY_SCHEMA = new StructType()
            .add("label", DataTypes.IntegerType)
            .add("features", DataTypes.createArrayType(DataTypes.DoubleType));

    private static DataSpec parquetSpec(String p, String features, int numFeatures, int numClasses, BadRowPolicy policy) {
        return new DataSpec(p, DataFormat.PARQUET, numFeatures, LabelType.CLASS_INDEX, numClasses, "label", false, ',',
                features, null, policy);
    }

    @Test
    void givenParquetArrayColumn_whenLoaded_thenRoundTrips() {
        String p = parquet("arr.parquet", ARRAY_SCHEMA,
                RowFactory.create(1, new double[] {0.5, 1}), RowFactory.create(0, new double[] {2, 3}));
        LoadedData d = DataLoader.load(spark, parquetSpec(p, "features", 0, 0, BadRowPolicy.FAIL), 2, 5L);
        assertEquals(2, d.numFeatures());
        assertEquals(2, d.numClasses());
        List<double[]> rows = TestSpark.rows(d);
        assertArrayEquals(new double[] {0, 1, 0.5, 1}, rows.get(0));
        assertArrayEquals(new double[] {1, 0, 2, 3}, rows.get(1));
    }

    @Test
    void givenParquetFloatArrayAndNumericColumns_whenLoaded_thenBothLayoutsWork() {
        StructType floats = new StructType().add("label", DataTypes.DoubleType)
                .add("f", DataTypes.createArrayType(DataTypes.FloatType));
        String p = parquet("flt.parquet", floats, RowFactory.create(1.0, new float[] {0.25f, 4f}));
        assertArrayEquals(new double[] {0, 1, 0.25, 4}, TestSpark.rows(DataLoader.load(spark,
                parquetSpec(p, "f", 2, 0, BadRowPolicy.FAIL), 1, 5L)).get(0));

        StructType cols = new StructType().add("x1", DataTypes.LongType).add("name", DataTypes.StringType)
                .add("label", DataTypes.IntegerType).add("x2", DataTypes.FloatType);
        String q = parquet("cols.parquet", cols, RowFactory.create(3L, "a", 1, 0.5f), RowFactory.create(4L, "b", 0, 1.5f));
        LoadedData d = DataLoader.load(spark, parquetSpec(q, null, 0, 0, BadRowPolicy.FAIL), 2, 5L);
        assertEquals(2, d.numFeatures());
        assertArrayEquals(new double[] {1, 0, 4, 1.5}, TestSpark.rows(d).get(1));
    }

    @Test
    void givenParquetBadRows_whenLoaded_thenFailNamesFileRowAndReason() {
        String p = parquet("bad.parquet", ARRAY_SCHEMA, RowFactory.create(1, new double[] {1, 2}),
                RowFactory.create(12, new double[] {1, 2}), RowFactory.create(1, new double[] {1}));
        String m = assertThrows(DataException.class,
                () -> DataLoader.load(spark, parquetSpec(p, "features", 2, 10, BadRowPolicy.FAIL), 2, 5L)).getMessage();
        assertTrue(m.contains("label 12 outside classes 0..9 at ") && m.contains(".parquet row 1 (0-based)"), m);

        LoadedData d = DataLoader.load(spark, parquetSpec(p, "features", 2, 10,
                new BadRowPolicy(BadRowPolicy.Mode.SKIP, 0.7)), 2, 5L);
        assertEquals(1, d.count());
        assertEquals(Map.of("label-range", 1L, "feature-length", 1L), d.badRowCounts());
    }

    @Test
    void givenParquetArraysOfDifferentLengths_whenInferring_thenFailsNamingBothRows() {
        String p = parquet("len.parquet", ARRAY_SCHEMA, RowFactory.create(1, new double[] {1, 2}),
                RowFactory.create(0, new double[] {1, 2, 3}));
        String m = assertThrows(DataException.class,
                () -> DataLoader.load(spark, parquetSpec(p, "features", 0, 0, BadRowPolicy.FAIL), 2, 5L)).getMessage();
        assertTrue(m.contains("feature arrays differ in length") && m.contains("row 0") && m.contains("row 1"), m);
    }

    @Test
    void givenParquetNullAndNaN_whenLoaded_thenFailsWithReason() {
        String p = parquet("null.parquet", ARRAY_SCHEMA, RowFactory.create(1, new double[] {1, Double.NaN}));
        String m = assertThrows(DataException.class,
                () -> DataLoader.load(spark, parquetSpec(p, "features", 0, 0, BadRowPolicy.FAIL), 1, 5L)).getMessage();
        assertTrue(m.contains("non-finite value NaN in features[1]") && m.contains("row 0"), m);
        String q = parquet("null2.parquet", ARRAY_SCHEMA, RowFactory.create(null, new double[] {1}));
        String m2 = assertThrows(DataException.class,
                () -> DataLoader.load(spark, parquetSpec(q, "features", 0, 0, BadRowPolicy.FAIL), 1, 5L)).getMessage();
        assertTrue(m2.contains("null label in column 'label'"), m2);
    }

    @Test
    void givenMissingOrEmptyParquet_whenLoaded_thenFailsNamingPath() {
        String missing = dir.resolve("none.parquet").toString();
        String m = assertThrows(DataException.class,
                () -> DataLoader.load(spark, parquetSpec(missing, "features", 0, 0, BadRowPolicy.FAIL), 1, 5L)).getMessage();
        assertTrue(m.contains("input path does not exist: " + missing), m);
        String empty = dir.resolve("empty.parquet").toString();
        spark.createDataFrame(List.<Row>of(), ARRAY_SCHEMA).write().parquet(empty);
        String m2 = assertThrows(DataException.class,
                () -> DataLoader.load(spark, parquetSpec(empty, "features", 0, 0, BadRowPolicy.FAIL), 1, 5L)).getMessage();
        assertTrue(m2.contains("no rows in " + empty), m2);
    }
}
