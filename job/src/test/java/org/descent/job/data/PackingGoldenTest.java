package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packed blocks' exact bits, pinned: ids, labels, feature bits and (scoring) source ids of every block, hashed,
 * for LIBSVM (several files, bad rows skipped), CSV (header, id column), Parquet (array column in several files,
 * numeric columns), a seeded holdout and the scoring layout. The hashes were taken from the two-pass data stage
 * (scan, re-parse, shuffle) that issue 17 replaced by one pass, so a change of any row's id, partition, order or
 * value fails here. Each case runs on both pack routes ({@link BlockPacker.Route}: direct, and the shuffle a cluster
 * uses), which must give the same bits. About 8 s.
 */
class PackingGoldenTest {
    private static SparkSession spark;
    private static Path dir;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        spark = TestSpark.session("PackingGoldenTest");
        dir = tmp;
        Random rnd = new Random(7);
        for (int f = 0; f < 3; f++) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                if (i % 97 == 5) {
                    lines.add("x 1:2"); // bad label
                    continue;
                }
                StringBuilder s = new StringBuilder().append(rnd.nextInt(4));
                for (int j = 1; j <= 30; j++) if (rnd.nextInt(5) == 0) s.append(' ').append(j).append(':').append(rnd.nextGaussian());
                lines.add(s.toString());
            }
            TestSpark.write(dir.resolve("svm").resolve("part-" + f + ".libsvm"), lines.toArray(new String[0]));
        }
        List<String> csv = new ArrayList<>(List.of("id,a,y,b,c"));
        for (int i = 0; i < 700; i++) {
            csv.add("r" + i + "," + rnd.nextGaussian() + "," + rnd.nextInt(3) + "," + rnd.nextDouble() + "," + (i % 11));
        }
        TestSpark.write(dir.resolve("rows.csv"), csv.toArray(new String[0]));
        StructType arr = new StructType().add("label", DataTypes.IntegerType).add("features",
                DataTypes.createArrayType(DataTypes.DoubleType, false));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 900; i++) {
            double[] x = new double[12];
            for (int j = 0; j < x.length; j++) x[j] = rnd.nextInt(3) == 0 ? 0 : rnd.nextGaussian();
            rows.add(RowFactory.create(rnd.nextInt(5), x));
        }
        for (int f = 0; f < 3; f++) { // fixed file order: one file per directory a=0..2 (Spark names the files at random)
            spark.createDataFrame(rows.subList(300 * f, 300 * f + 300), arr).coalesce(1).write()
                    .parquet(dir.resolve("arr.parquet").resolve("a=" + f).toString());
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Packs on {@code route} from here on (this thread's jobs). */
    private static void route(String route) {
        spark.sparkContext().setLocalProperty(BlockPacker.ROUTE_KEY, route);
    }

    @AfterEach
    void defaultRoute() {
        spark.sparkContext().setLocalProperty(BlockPacker.ROUTE_KEY, null);
    }

    private static DataSpec svm() {
        return TestSpark.libsvm(dir.resolve("svm").toString(), 0, LabelType.CLASS_INDEX, 0,
                new BadRowPolicy(BadRowPolicy.Mode.SKIP, 0.1));
    }

    private static DataSpec csv() {
        return TestSpark.csv(dir.resolve("rows.csv").toString(), true, "y", "id", 0, LabelType.CLASS_INDEX, 0,
                BadRowPolicy.FAIL);
    }

    private static DataSpec parquet() {
        return new DataSpec(dir.resolve("arr.parquet").toString(), DataFormat.PARQUET, 0, LabelType.CLASS_INDEX, 0,
                "label", false, ',', "features", null, BadRowPolicy.FAIL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"direct", "shuffle"})
    void givenLibsvmFiles_whenLoadedDenseAndSparse_thenTheBlocksKeepTheirBits(String route) {
        route(route);
        assertEquals("cdf99886267be23d/768c6cd0b8090174", hash(DataLoader.load(spark, svm(), 3, 11L).blocks().collect()) + "/" + hash(DataLoader.load(spark,
                svm().withRepresentation(Representation.SPARSE, true), 4, 11L).blocks().collect()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"direct", "shuffle"})
    void givenCsvAndParquet_whenLoaded_thenTheBlocksKeepTheirBits(String route) {
        route(route);
        assertEquals("3132e01ac0344be8/fa7d5458e5220dba", hash(DataLoader.load(spark, csv(), 2, 5L).blocks().collect()) + "/"
                + hash(DataLoader.load(spark, parquet(), 3, 42L).blocks().collect()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"direct", "shuffle"})
    void givenAHoldout_whenSplit_thenBothSidesKeepTheirBits(String route) {
        route(route);
        LoadedData[] split = DataLoader.loadWithHoldout(spark, parquet(), 0.2, 2, 42L);
        assertEquals("e796c3e18a622cb0/7ba79e97f1ed01ff", hash(split[0].blocks().collect()) + "/" + hash(split[1].blocks().collect()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"direct", "shuffle"})
    void givenScoring_whenLoaded_thenBlocksAndSourceIdsKeepTheirBits(String route) {
        route(route);
        ScoringData s = DataLoader.loadForScoring(spark, csv(), 3);
        StringBuilder ids = new StringBuilder();
        for (ScoringBlock b : s.blocks().collect()) ids.append(String.join(",", b.sourceIds())).append('|');
        assertEquals("c7957c91be669b96/10ca856496e14c23", hash(s.asLoadedData().blocks().collect()) + "/" + hashText(ids.toString()));
    }

    /** SHA-256 (16 hex digits) of every block's shape, ids, labels and feature bits, in partition order. */
    static String hash(List<RowBlock> blocks) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (RowBlock b : blocks) {
                ByteBuffer h = ByteBuffer.allocate(16 + 16 * b.rows + 8 * (int) Math.max(1, b.storedValues()) * 2);
                h.putInt(b.rows).putInt(b.cols).putInt(b.isSparse() ? 1 : 0).putInt(b.storage().ordinal());
                for (int i = 0; i < b.rows; i++) h.putLong(b.ids[i]).putLong(Double.doubleToRawLongBits(b.labels[i]));
                if (b.isSparse()) {
                    for (int i = 0; i < b.rows; i++) {
                        for (int p = b.sparse.rowPtr()[i]; p < b.sparse.rowPtr()[i + 1]; p++) {
                            h.putInt(b.sparse.colIdx()[p]).putLong(Double.doubleToRawLongBits(b.sparse.valueAt(p)));
                        }
                    }
                } else {
                    for (int i = 0; i < b.rows; i++) {
                        for (int j = 0; j < b.cols; j++) h.putLong(Double.doubleToRawLongBits(b.feature(i, j)));
                    }
                }
                md.update(h.array(), 0, h.position());
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hashText(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
