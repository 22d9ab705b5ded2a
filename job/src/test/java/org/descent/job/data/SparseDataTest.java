package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.descent.math.scale.FeatureStats;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FloatCsrMatrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sparse blocks from parsing to the cache: LIBSVM and Spark ML vector columns (dense and sparse, as the UDT and
 * as its storage struct), data.representation (auto/dense/sparse), float32 values, their errors, sparse-safe scaling.
 */
class SparseDataTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = TestSpark.session("SparseDataTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static DataSpec libsvm(String p, int numFeatures, Representation r, boolean floats) {
        return TestSpark.libsvm(p, numFeatures, LabelType.CLASS_INDEX, 0, BadRowPolicy.FAIL).withRepresentation(r, floats);
    }

    /** A seeded LIBSVM file: rows x width, about perRow non-zeros a row (some rows empty), labels 0..2. */
    private String randomLibsvm(String name, int rows, int width, int perRow, long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            StringBuilder sb = new StringBuilder().append(rng.nextInt(3));
            int index = 0;
            for (int k = 0; k < (i % 7 == 6 ? 0 : perRow); k++) {
                index += 1 + rng.nextInt(Math.max(1, width / perRow - 1));
                if (index > width) break;
                sb.append(' ').append(index).append(':').append(Math.round(rng.nextGaussian() * 1000) / 1000.0);
            }
            lines.add(sb.toString());
        }
        return TestSpark.write(dir.resolve(name), lines.toArray(new String[0]));
    }

    @Test
    void givenLibsvm_whenLoadedSparseAndDense_thenSameRowsAndSparseBlocksHoldOnlyNonZeros() throws Exception {
        String p = randomLibsvm("r.libsvm", 300, 500, 6, 1);
        LoadedData dense = DataLoader.load(spark, libsvm(p, 500, Representation.DENSE, false), 3, 9L);
        LoadedData sparse = DataLoader.load(spark, libsvm(p, 500, Representation.SPARSE, false), 3, 9L);
        LoadedData floats = DataLoader.load(spark, libsvm(p, 500, Representation.SPARSE, true), 3, 9L);

        List<double[]> expected = TestSpark.rows(dense);
        assertEquals(300, expected.size());
        List<double[]> got = TestSpark.rows(sparse);
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), got.get(i), "row " + i);
        List<double[]> gotFloat = TestSpark.rows(floats);
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), gotFloat.get(i), 1e-6, "row " + i);

        long nnz = 0;
        long bytes = 0;
        for (RowBlock b : TestSpark.blocks(sparse)) {
            assertTrue(b.isSparse());
            assertInstanceOf(CsrMatrix.class, b.sparse);
            assertTrue(b.isSparse());
            b.sparse.validate(); // sorted, in range, finite
            nnz += b.sparse.nnz();
            bytes += b.cachedBytes();
        }
        long denseNonZeros = expected.stream().mapToLong(r -> Arrays.stream(r, 2, r.length).filter(v -> v != 0).count()).sum();
        assertEquals(denseNonZeros, nnz);
        // 12 bytes per non-zero + 4 per row pointer + 16 per row (label, id)
        assertEquals(12 * nnz + 4L * (300 + 3) + 16L * 300, bytes);
        for (RowBlock b : TestSpark.blocks(floats)) assertInstanceOf(FloatCsrMatrix.class, b.sparse);
        for (RowBlock b : TestSpark.blocks(dense)) assertFalse(b.isSparse());
    }

    @Test
    void givenWideSparseAndNarrowDenseData_whenAuto_thenSparseForWideAndDenseForNarrow() throws Exception {
        String wide = randomLibsvm("w.libsvm", 200, 1 << 18, 5, 2); // dense it would be 400 MB
        LoadedData w = DataLoader.load(spark, libsvm(wide, 1 << 18, Representation.AUTO, false), 2, 1L);
        assertEquals(1 << 18, w.numFeatures());
        for (RowBlock b : TestSpark.blocks(w)) {
            assertTrue(b.isSparse());
            assertTrue(b.cachedBytes() < 100_000, "bytes " + b.cachedBytes());
        }
        String narrow = TestSpark.write(dir.resolve("n.libsvm"), "1 1:1 2:2 3:3", "0 1:4 2:5 3:6");
        for (RowBlock b : TestSpark.blocks(DataLoader.load(spark, libsvm(narrow, 0, Representation.AUTO, false), 1, 1L))) {
            assertFalse(b.isSparse());
        }
        assertEquals(Representation.SPARSE, Representation.AUTO.resolve(1000, 1000, 50_000, 2));
        assertEquals(Representation.DENSE, Representation.AUTO.resolve(1000, 1000, 500_000, 2));
        assertEquals(Representation.SPARSE, Representation.AUTO.resolve(3_000_000, 1000, 2_000_000_000L, 1)); // too wide
    }

    @Test
    void givenBadSparseLines_whenLoaded_thenErrorNamesFileLineAndFix() throws Exception {
        String[][] cases = {
            {"1 3:1 2:1", "after 3", ":1"},
            {"1 2:1 2:1", "after 2", ":1"},
            {"1 0:1", "1-based", ":1"},
            {"1 9:1", "beyond numFeatures=8", ":1"},
            {"1 2:NaN", "non-finite", ":1"},
            {"1 2:Infinity", "non-finite", ":1"},
        };
        for (String[] c : cases) {
            String p = TestSpark.write(dir.resolve("bad" + Math.abs(c[0].hashCode()) + ".libsvm"), "0 1:1", c[0]);
            String m = assertThrows(DataException.class,
                    () -> DataLoader.load(spark, libsvm(p, 8, Representation.SPARSE, false), 2, 1L)).getMessage();
            assertTrue(m.contains(c[1]) && m.contains(p + ":2"), c[0] + " -> " + m);
        }
    }

    private String parquet(String name, StructType schema, Row... rows) {
        String p = dir.resolve(name).toString();
        spark.createDataFrame(Arrays.asList(rows), schema).coalesce(1).write().parquet(p);
        return p;
    }

    private static DataSpec parquetSpec(String p, int numFeatures, Representation r) {
        return new DataSpec(p, DataFormat.PARQUET, numFeatures, LabelType.CLASS_INDEX, 0, "label", false, ',',
                "features", null, BadRowPolicy.FAIL).withRepresentation(r, false);
    }

    @Test
    void givenSparkMlVectorColumn_whenLoaded_thenDenseAndSparseVectorsRoundTripInEitherRepresentation() {
        StructType schema = new StructType().add("label", DataTypes.IntegerType).add("features", SQLDataTypes.VectorType());
        String p = parquet("vec.parquet", schema,
                RowFactory.create(1, Vectors.sparse(6, new int[] {0, 4}, new double[] {0.5, -2})),
                RowFactory.create(0, Vectors.dense(0, 1, 0, 0, 0, 3)),
                RowFactory.create(1, Vectors.sparse(6, new int[0], new double[0])));
        for (Representation r : new Representation[] {Representation.SPARSE, Representation.DENSE}) {
            LoadedData d = DataLoader.load(spark, parquetSpec(p, 0, r), 2, 5L);
            assertEquals(6, d.numFeatures(), "the vector size, not the largest index");
            List<double[]> rows = TestSpark.rows(d);
            assertArrayEquals(new double[] {0, 1, 0.5, 0, 0, 0, -2, 0}, rows.get(0));
            assertArrayEquals(new double[] {1, 0, 0, 1, 0, 0, 0, 3}, rows.get(1));
            assertArrayEquals(new double[] {2, 1, 0, 0, 0, 0, 0, 0}, rows.get(2));
            for (RowBlock b : TestSpark.blocks(d)) assertEquals(r == Representation.SPARSE, b.isSparse());
        }
        String m = assertThrows(DataException.class, () -> DataLoader.load(spark, parquetSpec(p, 5, Representation.SPARSE), 1, 5L))
                .getMessage();
        assertTrue(m.contains("column 'features' has size 6, expected numFeatures=5") && m.contains("row 0"), m);
    }

    @Test
    void givenVectorStorageStructWithBadEntries_whenLoaded_thenErrorsNameColumnAndRow() {
        // the UDT's storage struct, as Parquet reads it when spark-mllib is not on the classpath
        StructType vec = new StructType().add("type", DataTypes.ByteType).add("size", DataTypes.IntegerType)
                .add("indices", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("values", DataTypes.createArrayType(DataTypes.DoubleType));
        StructType schema = new StructType().add("label", DataTypes.IntegerType).add("features", vec);
        Object[][] bad = {
            {RowFactory.create((byte) 0, 5, new int[] {3, 1}, new double[] {1, 1}), "index 1 after 3"},
            {RowFactory.create((byte) 0, 5, new int[] {2, 2}, new double[] {1, 1}), "index 2 after 2"},
            {RowFactory.create((byte) 0, 5, new int[] {5}, new double[] {1}), "index 5 beyond its size 5"},
            {RowFactory.create((byte) 1, null, null, new double[] {1, Double.NaN, 0, 0, 0}), "non-finite value NaN"},
        };
        int k = 0;
        for (Object[] c : bad) {
            String p = parquet("bad" + k++ + ".parquet", schema,
                    RowFactory.create(0, RowFactory.create((byte) 0, 5, new int[] {1}, new double[] {2})),
                    RowFactory.create(1, c[0]));
            String m = assertThrows(DataException.class, () -> DataLoader.load(spark, parquetSpec(p, 0, Representation.AUTO), 1, 5L))
                    .getMessage();
            assertTrue(m.contains((String) c[1]) && m.contains("column 'features'") && m.contains("row 1 (0-based)"), m);
        }
        String ok = parquet("ok.parquet", schema, RowFactory.create(2, RowFactory.create((byte) 0, 5, new int[] {1, 4}, new double[] {2, 3})));
        assertArrayEquals(new double[] {0, 2, 0, 2, 0, 0, 3},
                TestSpark.rows(DataLoader.load(spark, parquetSpec(ok, 0, Representation.SPARSE), 1, 5L)).get(0));

        StructType strings = new StructType().add("label", DataTypes.IntegerType).add("features", DataTypes.StringType);
        String s = parquet("str.parquet", strings, RowFactory.create(0, "1 2 3"));
        String m = assertThrows(DataException.class, () -> DataLoader.load(spark, parquetSpec(s, 0, Representation.AUTO), 1, 5L))
                .getMessage();
        assertTrue(m.contains("data.features-column 'features'") && m.contains("has type string") && m.contains("vector"), m);
    }

    @Test
    void givenSparseBlocks_whenScaled_thenMaxAbsKeepsSparsityAndCenteringIsRefusedWithAlternatives() throws Exception {
        String p = TestSpark.write(dir.resolve("s.libsvm"), "0 1:2 3:-4", "1 2:1 3:8", "0 1:-1");
        LoadedData d = DataLoader.load(spark, libsvm(p, 3, Representation.SPARSE, false), 1, 1L);
        RowBlock b = TestSpark.blocks(d).get(0);
        FeatureStats stats = new FeatureStats(3).addSparse(b.sparse);
        FeatureStats denseStats = b.denseHead(b.rows).addTo(new FeatureStats(3));
        for (int j = 0; j < 3; j++) {
            assertEquals(denseStats.mean(j), stats.mean(j), 1e-15);
            assertEquals(denseStats.variance(j), stats.variance(j), 1e-14);
            assertEquals(denseStats.min(j), stats.min(j), 0.0);
            assertEquals(denseStats.max(j), stats.max(j), 0.0);
        }
        RowBlock scaled = b.scaled(Scaler.fit(ScalerKind.MAX_ABS, stats));
        assertTrue(scaled.isSparse());
        assertEquals(b.sparse.nnz(), scaled.sparse.nnz());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double max = new double[] {2, 1, 8}[j];
                assertEquals(b.feature(i, j) / max, scaled.feature(i, j), 0.0);
            }
        }
        RowBlock unit = b.scaled(Scaler.fit(ScalerKind.UNIT_VARIANCE, stats));
        assertEquals(b.feature(0, 2) / stats.std(2), unit.feature(0, 2), 1e-15);
        for (ScalerKind centering : new ScalerKind[] {ScalerKind.STANDARD, ScalerKind.MIN_MAX}) {
            String m = assertThrows(DataException.class, () -> b.scaled(Scaler.fit(centering, stats))).getMessage();
            assertTrue(m.contains(centering.configName()) && m.contains("max-abs") && m.contains("unit-variance"), m);
        }
    }
}
