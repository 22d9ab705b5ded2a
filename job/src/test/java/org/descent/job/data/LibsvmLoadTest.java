package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibsvmLoadTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = TestSpark.session("LibsvmLoadTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private LoadedData load(String path, int numFeatures, int numClasses) {
        return DataLoader.load(spark, TestSpark.libsvm(path, numFeatures, LabelType.CLASS_INDEX, numClasses,
                BadRowPolicy.FAIL), 2, 7L);
    }

    private String failure(String path, int numFeatures, int numClasses, String... lines) throws Exception {
        TestSpark.write(dir.resolve(path), lines);
        return assertThrows(DataException.class, () -> load(dir.resolve(path).toString(), numFeatures, numClasses))
                .getMessage();
    }

    @Test
    void givenSparseLines_whenLoaded_thenDenseRowsInInputOrderAndCountsInferred() throws Exception {
        String p = TestSpark.write(dir.resolve("a.libsvm"), "1 1:0.5 3:2", "", "0 2:-1 # comment", "2 4:7");
        LoadedData d = load(p, 0, 0);
        assertEquals(3, d.count());
        assertEquals(4, d.numFeatures());
        assertEquals(3, d.numClasses());
        assertEquals(2, d.blocks().getNumPartitions());
        List<double[]> rows = TestSpark.rows(d);
        assertArrayEquals(new double[] {0, 1, 0.5, 0, 2, 0}, rows.get(0));
        assertArrayEquals(new double[] {1, 0, 0, -1, 0, 0}, rows.get(1));
        assertArrayEquals(new double[] {2, 2, 0, 0, 0, 7}, rows.get(2));
        assertTrue(d.badRowCounts().isEmpty());
    }

    @Test
    void givenRealLabels_whenLoaded_thenLabelsKeptAndNoClasses() throws Exception {
        String p = TestSpark.write(dir.resolve("r.libsvm"), "1.25 1:1", "-3.5 2:1");
        LoadedData d = DataLoader.load(spark, TestSpark.libsvm(p, 5, LabelType.REAL, 0, BadRowPolicy.FAIL), 3, 1L);
        assertEquals(0, d.numClasses());
        assertEquals(5, d.numFeatures());
        assertEquals(3, TestSpark.blocks(d).size());
        assertEquals(-3.5, TestSpark.rows(d).get(1)[1]);
    }

    @Test
    void givenDirectoryOfFiles_whenLoaded_thenIdsFollowFilePathOrder() throws Exception {
        TestSpark.write(dir.resolve("d/part-b"), "1 1:2");
        TestSpark.write(dir.resolve("d/part-a"), "0 1:1", "0 1:1.5");
        TestSpark.write(dir.resolve("d/_SUCCESS"));
        List<double[]> rows = TestSpark.rows(load(dir.resolve("d").toString(), 0, 0));
        assertEquals(3, rows.size());
        assertEquals(1.0, rows.get(0)[2]);
        assertEquals(1.5, rows.get(1)[2]);
        assertEquals(2.0, rows.get(2)[2]);
    }

    @Test
    void givenErrorOnLastLineOfSplitFile_whenLoaded_thenExactLineNumberReported() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 499; i++) lines.add((i % 2) + " 1:" + i + " 5:0.25");
        lines.add("1 1:3 2:abc");
        String m = failure("big.libsvm", 0, 0, lines.toArray(new String[0]));
        assertTrue(m.contains("big.libsvm:500"), m);
        assertTrue(m.contains("malformed value in token '2:abc'"), m);
    }

    @Test
    void givenMalformedValueToken_whenLoaded_thenFailsNamingFileLineAndToken() throws Exception {
        String m = failure("v.libsvm", 0, 0, "1 1:1", "0 3:abc");
        assertTrue(m.contains("malformed value in token '3:abc' at ") && m.contains("v.libsvm:2"), m);
    }

    @Test
    void givenTokenWithoutColon_whenLoaded_thenFailsAsMalformedToken() throws Exception {
        String m = failure("x.libsvm", 0, 0, "1 x", "0 1:1");
        assertTrue(m.contains("malformed token 'x' (expected index:value)") && m.contains("x.libsvm:1"), m);
    }

    @Test
    void givenDescendingIndices_whenLoaded_thenFailsAsNotAscending() throws Exception {
        String m = failure("o.libsvm", 0, 0, "1 1:1", "1 1:1", "0 4:1 2:1");
        assertTrue(m.contains("feature index 2 after 4") && m.contains("o.libsvm:3"), m);
    }

    @Test
    void givenZeroIndex_whenLoaded_thenFailsAsOneBased() throws Exception {
        String m = failure("z.libsvm", 0, 0, "1 0:1");
        assertTrue(m.contains("feature index 0") && m.contains("1-based") && m.contains("z.libsvm:1"), m);
    }

    @Test
    void givenIndexBeyondConfiguredCount_whenLoaded_thenFailsNamingBoth() throws Exception {
        String m = failure("b.libsvm", 784, 10, "1 1:1", "3 900:1");
        assertTrue(m.contains("feature index 900 beyond numFeatures=784 at ") && m.contains("b.libsvm:2"), m);
    }

    @Test
    void givenNaNFeature_whenLoaded_thenFailsAsNonFinite() throws Exception {
        String m = failure("n.libsvm", 0, 0, "1 1:NaN");
        assertTrue(m.contains("non-finite feature value in token '1:NaN'") && m.contains("n.libsvm:1"), m);
        String inf = failure("i.libsvm", 0, 0, "1 1:1", "1 2:Infinity");
        assertTrue(inf.contains("non-finite") && inf.contains("i.libsvm:2"), inf);
    }

    @Test
    void givenLabelOutsideConfiguredClasses_whenLoaded_thenFailsNamingRange() throws Exception {
        String m = failure("l.libsvm", 0, 10, "1 1:1", "9 1:1", "12 1:1");
        assertTrue(m.contains("label 12 outside classes 0..9 at ") && m.contains("l.libsvm:3"), m);
    }

    @Test
    void givenNonIntegerClassLabel_whenLoaded_thenFails() throws Exception {
        String m = failure("f.libsvm", 0, 0, "2.5 1:1");
        assertTrue(m.contains("label 2.5 is not an integer class index") && m.contains("f.libsvm:1"), m);
        String neg = failure("g.libsvm", 0, 0, "-1 1:1");
        assertTrue(neg.contains("label -1 outside classes") && neg.contains("remap"), neg);
    }

    @Test
    void givenSkipPolicy_whenSomeRowsBad_thenDroppedAndCountedByReason() throws Exception {
        String p = TestSpark.write(dir.resolve("s.libsvm"), "1 1:1", "0 1:x", "1 2:1", "5 1:1", "0 2:1 1:1",
                "1 3:1", "0 1:2", "1 2:2", "0 3:3", "1 1:4");
        DataSpec spec = TestSpark.libsvm(p, 3, LabelType.CLASS_INDEX, 2, new BadRowPolicy(BadRowPolicy.Mode.SKIP, 0.5));
        LoadedData d = DataLoader.load(spark, spec, 2, 3L);
        assertEquals(7, d.count());
        assertEquals(Map.of("malformed-token", 1L, "label-range", 1L, "index-order", 1L), d.badRowCounts());
        List<double[]> rows = TestSpark.rows(d);
        assertEquals(7, rows.size());
        for (int i = 0; i < 7; i++) assertEquals(i, rows.get(i)[0]);
        assertEquals(4.0, rows.get(6)[2]);
    }

    @Test
    void givenSkipPolicy_whenBadShareAboveLimit_thenFailsWithCountsAndFirstBadRow() throws Exception {
        String p = TestSpark.write(dir.resolve("t.libsvm"), "1 1:1", "0 1:x", "1 y", "0 1:1");
        DataSpec spec = TestSpark.libsvm(p, 0, LabelType.CLASS_INDEX, 0, new BadRowPolicy(BadRowPolicy.Mode.SKIP, 0.25));
        String m = assertThrows(DataException.class, () -> DataLoader.load(spark, spec, 2, 3L)).getMessage();
        assertTrue(m.contains("2 of 4 rows") && m.contains("maxBadFraction=0.25") && m.contains("t.libsvm:2"), m);
    }

    @Test
    void givenMissingPath_whenLoaded_thenFailsNamingPath() {
        String p = dir.resolve("nope.libsvm").toString();
        String m = assertThrows(DataException.class, () -> load(p, 0, 0)).getMessage();
        assertTrue(m.contains("input path does not exist: " + p), m);
    }

    @Test
    void givenEmptyFileOrDirectory_whenLoaded_thenFailsWithNoRows() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.libsvm"));
        String m = assertThrows(DataException.class, () -> load(empty.toString(), 0, 0)).getMessage();
        assertTrue(m.contains("no rows in " + empty), m);
        Path emptyDir = Files.createDirectories(dir.resolve("emptydir"));
        String m2 = assertThrows(DataException.class, () -> load(emptyDir.toString(), 0, 0)).getMessage();
        assertTrue(m2.contains("no rows in " + emptyDir), m2);
    }
}
