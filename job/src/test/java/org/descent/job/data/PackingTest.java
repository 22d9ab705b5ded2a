package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackingTest {
    private static SparkSession spark;
    private static String data;
    private static final int ROWS = 1000;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        spark = TestSpark.session("PackingTest");
        Random rnd = new Random(42);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            // feature 1 encodes the input position so every row is recognisable
            lines.add(rnd.nextInt(3) + " 1:" + i + " " + (2 + rnd.nextInt(4)) + ":" + rnd.nextGaussian());
        }
        data = TestSpark.write(dir.resolve("rows.libsvm"), lines.toArray(new String[0]));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static DataSpec spec() {
        return TestSpark.libsvm(data, 0, LabelType.CLASS_INDEX, 0, BadRowPolicy.FAIL);
    }

    private static void assertSameBlocks(List<RowBlock> a, List<RowBlock> b) {
        assertEquals(a.size(), b.size());
        for (int p = 0; p < a.size(); p++) {
            assertArrayEquals(a.get(p).ids, b.get(p).ids);
            assertArrayEquals(a.get(p).labels, b.get(p).labels);
            assertArrayEquals(a.get(p).denseRowMajor(), b.get(p).denseRowMajor());
        }
    }

    @Test
    void givenSameSeed_whenLoadedTwice_thenIdenticalBlocks() {
        List<RowBlock> a = TestSpark.blocks(DataLoader.load(spark, spec(), 4, 11L));
        List<RowBlock> b = TestSpark.blocks(DataLoader.load(spark, spec(), 4, 11L));
        assertSameBlocks(a, b);
        for (RowBlock blk : a) {
            for (int i = 1; i < blk.rows; i++) assertTrue(blk.ids[i - 1] < blk.ids[i], "rows sorted by id");
        }
    }

    @Test
    void givenDifferentSeeds_whenLoaded_thenDifferentAssignmentSameRows() {
        List<RowBlock> a = TestSpark.blocks(DataLoader.load(spark, spec(), 4, 11L));
        List<RowBlock> b = TestSpark.blocks(DataLoader.load(spark, spec(), 4, 12L));
        assertNotEquals(java.util.Arrays.toString(a.get(0).ids), java.util.Arrays.toString(b.get(0).ids));
        assertEquals(TestSpark.rows(DataLoader.load(spark, spec(), 4, 11L)).size(), ROWS);
    }

    @Test
    void givenLoad_whenCollected_thenEveryRowInExactlyOneBlockAtItsPartition() {
        LoadedData d = DataLoader.load(spark, spec(), 5, 3L);
        List<RowBlock> blocks = TestSpark.blocks(d);
        assertEquals(5, blocks.size());
        assertEquals(ROWS, d.count());
        Set<Long> ids = new HashSet<>();
        for (int p = 0; p < blocks.size(); p++) {
            RowBlock b = blocks.get(p);
            assertTrue(b.rows > 100, "roughly balanced: " + b.rows);
            for (int i = 0; i < b.rows; i++) {
                assertTrue(ids.add(b.ids[i]), "duplicate id " + b.ids[i]);
                assertEquals(p, RowAssignment.partitionOf(3L, b.ids[i], 5));
                assertEquals((double) b.ids[i], b.feature(i, 0), "id is the input position");
            }
        }
        assertEquals(ROWS, ids.size());
    }

    @Test
    void givenMorePartitionsThanRows_whenLoaded_thenEmptyBlocksStillOnePerPartition() throws Exception {
        String p = TestSpark.write(dir.resolve("two.libsvm"), "1 1:1", "0 1:2");
        List<RowBlock> blocks = TestSpark.blocks(DataLoader.load(spark,
                TestSpark.libsvm(p, 0, LabelType.CLASS_INDEX, 0, BadRowPolicy.FAIL), 6, 1L));
        assertEquals(6, blocks.size());
        assertEquals(2, blocks.stream().mapToInt(b -> b.rows).sum());
        assertTrue(blocks.stream().anyMatch(b -> b.rows == 0 && b.storedValues() == 0));
    }

    @Test
    void givenHoldout_whenLoaded_thenDisjointCompleteAndDeterministic() {
        LoadedData[] a = DataLoader.loadWithHoldout(spark, spec(), 0.2, 3, 9L);
        LoadedData[] b = DataLoader.loadWithHoldout(spark, spec(), 0.2, 3, 9L);
        Set<Long> train = new HashSet<>();
        Set<Long> validation = new HashSet<>();
        for (double[] r : TestSpark.rows(a[0])) train.add((long) r[0]);
        for (double[] r : TestSpark.rows(a[1])) validation.add((long) r[0]);
        assertEquals(a[0].count(), train.size());
        assertEquals(a[1].count(), validation.size());
        assertEquals(ROWS, train.size() + validation.size());
        assertTrue(validation.size() > 140 && validation.size() < 260, "about 20%: " + validation.size());
        validation.retainAll(train);
        assertTrue(validation.isEmpty(), "disjoint");
        assertSameBlocks(TestSpark.blocks(a[0]), TestSpark.blocks(b[0]));
        assertSameBlocks(TestSpark.blocks(a[1]), TestSpark.blocks(b[1]));
        assertEquals(3, TestSpark.blocks(a[1]).size());
    }

    @Test
    void givenDataExceptionInsideSparkTask_whenCaughtOnDriver_thenUnwrapGivesClearMessage() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Exception e = assertThrows(Exception.class, () -> jsc.parallelize(List.of(1, 2), 2).map(x -> {
            if (x == 2) throw new DataException("bad thing at file:/x:7 (fix it)");
            return x;
        }).collect());
        assertTrue(!(e instanceof DataException), "Spark wraps task failures");
        assertEquals("bad thing at file:/x:7 (fix it)", DataException.findIn(e).orElseThrow().getMessage());
        assertEquals("bad thing at file:/x:7 (fix it)", DataException.unwrap(e).getMessage());
        assertTrue(DataException.findIn(new IllegalStateException("other")).isEmpty());
    }

    @Test
    void givenHoldoutFraction_whenSeedFixed_thenDriverCountMatchesMembership() {
        long n = 0;
        for (long id = 0; id < 5000; id++) if (RowAssignment.inHoldout(4L, id, 0.3)) n++;
        assertEquals(n, DataLoader.holdoutCount(spark, 5000, 4L, 0.3));
        assertTrue(n > 1350 && n < 1650, "about 30%: " + n);
    }
}
