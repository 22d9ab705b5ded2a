package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;
import org.descent.job.train.DataStage;
import org.descent.job.train.InputDataException;
import org.descent.job.train.Trainer;
import org.descent.job.testing.ParamHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ParquetPrefetch} (row groups parsed ahead on a driver thread, held for the read or taken by its tasks) against
 * the read without it, through the whole data stage ({@link DataStage}) and a short training: the same blocks (train and
 * validation) and the same model bits in float64 and float32, whether the prefetch finished first or races the read
 * (the read's thread parses what it has not reached), and after the held rows are released;
 * the same messages for a bad row, a corrupt file and a missing path; and nothing left behind (thread, open files).
 */
class ParquetPrefetchTest {
    private static SparkSession spark;

    @TempDir
    static Path dir;
    private static String train;
    private static String test;

    @BeforeAll
    static void data() {
        spark = TestSpark.session("ParquetPrefetchTest");
        train = write("train", 2400, 3, false, 1L);
        test = write("test", 600, 1, false, 2L);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Seeded pixel-like rows (k / 255.0, many zeros) of 20 features, class labels 0..2; {@code bad}: some NaN. */
    private static String write(String name, int n, int files, boolean bad, long seed) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Double[] f = new Double[20];
            for (int j = 0; j < f.length; j++) f[j] = r.nextInt(3) == 0 ? 0.0 : r.nextInt(256) / 255.0;
            if (bad && i % 97 == 41) f[3] = Double.NaN;
            rows.add(RowFactory.create(r.nextInt(3), f));
        }
        StructType schema = new StructType().add("label", DataTypes.IntegerType, true)
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, true), true);
        String p = dir.resolve(name).toString();
        spark.createDataFrame(rows, schema).repartition(files).write().option("parquet.block.size", 8192).parquet(p);
        return p;
    }

    private static JobConfig config(String trainPath, String extra) {
        return ConfigLoader.parse("""
                data { train-path = "%s", validation-path = "%s", format = parquet, label-column = "label",
                       features-column = "features", label-type = class-index, num-features = 20, num-classes = 3 }
                model { type = mlp, hidden-layers = [8], activation = relu }
                optimizer { kind = adam, learning-rate = 0.01 }
                training { epochs = 1, batch-size = 32, partitions = 2, seed = 5 }
                output.model-path = "unused"
                """.formatted(trainPath, test) + extra, List.of());
    }

    /** The data stage's rows (train, validation) and the trained parameters' hash. */
    private record Outcome(List<double[]> train, List<double[]> validation, String model) {}

    /** mode: none (no prefetch), first (it finishes before the read), race (it runs while the read runs). */
    private static Outcome run(JobConfig cfg, String mode) throws InterruptedException {
        ParquetPrefetch p = mode.equals("none") ? null : DataStage.prefetch(cfg);
        try {
            if (mode.equals("first")) assertTrue(p.awaitDone(60_000));
            DataStage.Input in = DataStage.load(spark, cfg, p);
            if (mode.equals("first")) { // every row group parsed ahead and taken by the tasks
                String s = p.summary();
                String[] w = s.split(" ");
                assertEquals(w[0], w[2], s);
                assertTrue(Integer.parseInt(w[0]) > 4, s);
                assertTrue(s.endsWith(w[0] + " of them taken"), s);
            }
            List<double[]> t = TestSpark.rows(in.train());
            List<double[]> v = TestSpark.rows(in.validation());
            double[] params = new Trainer(spark, cfg).train(in.train(), in.validation()).params();
            return new Outcome(t, v, ParamHash.of(params));
        } finally {
            if (p != null) p.close();
        }
    }

    private static void assertSame(Outcome want, Outcome got) {
        assertEquals(want.train().size(), got.train().size());
        for (int i = 0; i < want.train().size(); i++) assertArrayEquals(want.train().get(i), got.train().get(i));
        assertEquals(want.validation().size(), got.validation().size());
        for (int i = 0; i < want.validation().size(); i++) assertArrayEquals(want.validation().get(i), got.validation().get(i));
        assertEquals(want.model(), got.model());
    }

    @Test
    void givenParquetTrainAndValidation_whenParsedAheadOrRacingTheRead_thenTheSameBlocksAndModelInBothPrecisions()
            throws Exception {
        for (String precision : List.of("float64", "float32")) {
            JobConfig cfg = config(train, "training.precision = " + precision + "\n");
            Outcome without = run(cfg, "none");
            assertSame(without, run(cfg, "first"));
            assertSame(without, run(cfg, "race"));
        }
        assertNoPrefetchLeft();
    }

    @Test
    void givenEveryRowGroupParsedAhead_whenRead_thenNothingIsCachedAndTheReleasedRowsAreParsedAgainToTheSameBits()
            throws Exception {
        JobConfig cfg = config(train, "");
        DataStage.Input plain = DataStage.load(spark, cfg);
        List<double[]> wantTrain = TestSpark.rows(plain.train());
        List<double[]> wantValidation = TestSpark.rows(plain.validation());
        plain.train().release();
        plain.validation().release();
        int cached = spark.sparkContext().getPersistentRDDs().size();

        ParquetPrefetch p = DataStage.prefetch(cfg);
        assertTrue(p.awaitDone(60_000));
        DataStage.Input in = DataStage.load(spark, cfg, p);
        // held on the driver: no parse job cached the chunks; the blocks' tasks take the held ones
        assertEquals(cached, spark.sparkContext().getPersistentRDDs().size());
        assertEquals(2, p.plansOpen());
        assertSameRows(wantTrain, TestSpark.rows(in.train()));
        assertSameRows(wantValidation, TestSpark.rows(in.validation()));

        in.train().release();
        in.validation().release();
        in.train().release(); // a second release is a no-op
        assertEquals(0, p.plansOpen());
        // released: the tasks parse their row groups themselves, to the same rows
        assertSameRows(wantTrain, TestSpark.rows(in.train()));
        assertSameRows(wantValidation, TestSpark.rows(in.validation()));
        assertNoPrefetchLeft();
    }

    @Test
    void givenARowGroupLeft_whenHeldWithoutHelp_thenThePlanStaysForTheTasksAndHoldsOnceEverythingIsParsed()
            throws Exception {
        JobConfig cfg = config(train, "");
        ParquetPrefetch p = DataStage.prefetch(cfg);
        try {
            PrefetchPlan plan = ParquetPrefetch.surveyed(cfg.data().trainSpec(), false);
            var early = plan.hold(false); // more task slots than the two parsers: only a finished parse is held
            if (early == null) {
                assertEquals(2, p.plansOpen()); // not dropped: the read's tasks still take what the prefetch parsed
            } else {
                plan.release();
            }
            assertTrue(p.awaitDone(60_000));
            var all = plan.hold(false);
            assertTrue(all != null && all.size() > 4, String.valueOf(all));
            plan.release();
            assertEquals(2, p.plansOpen()); // released before the close: still there for the tasks
        } finally {
            p.close();
        }
        assertEquals(0, p.plansOpen());
        assertNoPrefetchLeft();
    }

    private static void assertSameRows(List<double[]> want, List<double[]> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i));
    }

    @Test
    void givenHiddenMetadataAndNestedFiles_whenPrefetched_thenTheSameFilesAreReadAsThroughSpark() throws Exception {
        String extra = write("extra", 600, 2, false, 6L);
        Path part;
        try (Stream<Path> s = Files.list(Path.of(extra))) {
            part = s.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        Files.copy(part, Path.of(extra, "_skipped.parquet")); // Spark's file index leaves these out
        Files.copy(part, Path.of(extra, ".hidden.parquet"));
        String nested = write("nested", 600, 2, false, 7L);
        Files.createDirectories(Path.of(nested, "sub"));
        Files.copy(part, Path.of(nested, "sub", "more.parquet")); // an unpartitioned input: Spark reads the top level only
        for (String path : List.of(extra, nested)) {
            JobConfig cfg = config(path, "");
            List<double[]> without = TestSpark.rows(DataStage.load(spark, cfg).train());
            ParquetPrefetch p = DataStage.prefetch(cfg);
            assertTrue(p.awaitDone(60_000));
            List<double[]> with = TestSpark.rows(DataStage.load(spark, cfg, p).train());
            assertEquals(without.size(), with.size(), path);
            for (int i = 0; i < without.size(); i++) assertArrayEquals(without.get(i), with.get(i));
        }
        assertNoPrefetchLeft();
    }

    @Test
    void givenABadRowUnderFail_whenParsedAhead_thenTheSameFileAndRowAreReported() throws Exception {
        String bad = write("bad", 900, 2, true, 3L);
        JobConfig cfg = config(bad, "data.bad-rows = fail\n");
        String without = assertThrows(InputDataException.class, () -> run(cfg, "none")).getMessage();
        assertTrue(without.contains("(0-based)"), without);
        assertEquals(without, assertThrows(InputDataException.class, () -> run(cfg, "first")).getMessage());
        assertNoPrefetchLeft();
    }

    @Test
    void givenACorruptRowGroup_whenParsedAhead_thenTheReadReportsItAsWithout() throws Exception {
        String corrupt = write("corrupt", 900, 1, false, 4L);
        Path file;
        try (Stream<Path> s = Files.list(Path.of(corrupt))) {
            file = s.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) { // a data page's byte; the .crc stays
            f.seek(f.length() / 3);
            int b = f.read();
            f.seek(f.length() / 3);
            f.write(b ^ 0x5a);
        }
        JobConfig cfg = config(corrupt, "");
        String without = assertThrows(InputDataException.class, () -> run(cfg, "none")).getMessage();
        assertTrue(without.contains(file.getFileName().toString()), without);
        assertEquals(without, assertThrows(InputDataException.class, () -> run(cfg, "first")).getMessage());
        assertNoPrefetchLeft();
    }

    @Test
    void givenAMissingPath_whenPrefetched_thenTheSameMessageAsWithout() throws Exception {
        JobConfig cfg = config(dir.resolve("missing").toString(), "");
        String without = assertThrows(InputDataException.class, () -> run(cfg, "none")).getMessage();
        assertEquals(without, assertThrows(InputDataException.class, () -> run(cfg, "first")).getMessage());
        assertNoPrefetchLeft();
    }

    @Test
    void givenARunThatFailsBeforeItsRead_whenThePrefetchIsClosed_thenItsThreadAndFilesAreGone() throws Exception {
        ParquetPrefetch p = DataStage.prefetch(config(train, ""));
        p.close(); // e.g. the Spark session failed to start: closed at once, mid-parse
        p.close();
        assertNoPrefetchLeft();
    }

    /** No prefetch thread alive and no file of the test directory open in this process. */
    private static void assertNoPrefetchLeft() throws IOException {
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("descent-parquet-prefetch") && t.isAlive()));
        String root = dir.toRealPath().toString();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            List<String> open = fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) { // closed meanwhile
                    return "";
                }
            }).filter(t -> t.startsWith(root)).toList();
            assertTrue(open.isEmpty(), open.toString());
        }
    }
}
