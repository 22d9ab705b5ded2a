package org.descent.job.data.idx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.descent.job.data.BadRowPolicy;
import org.descent.job.data.DataException;
import org.descent.job.data.DataFormat;
import org.descent.job.data.DataLoader;
import org.descent.job.data.DataSpec;
import org.descent.job.data.LabelType;
import org.descent.job.data.LoadedData;
import org.descent.job.data.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    private static final Path REAL = Path.of("/usr/share/datasets/fashion-mnist");
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = TestSpark.session("IdxTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static byte[] images(int count, int rows, int cols, byte[] pixels) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(IdxReader.IMAGES_MAGIC);
        d.writeInt(count);
        d.writeInt(rows);
        d.writeInt(cols);
        d.write(pixels);
        return b.toByteArray();
    }

    static byte[] labels(byte[] labels) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(IdxReader.LABELS_MAGIC);
        d.writeInt(labels.length);
        d.write(labels);
        return b.toByteArray();
    }

    static void write(Path p, byte[] data, boolean gzip) throws IOException {
        try (OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            o.write(data);
        }
    }

    @Test
    void givenPlainAndGzipIdx_whenRead_thenSameImagesAndLabels() throws Exception {
        byte[] px = new byte[3 * 2 * 4];
        new Random(1).nextBytes(px);
        write(dir.resolve("img"), images(3, 2, 4, px), false);
        write(dir.resolve("img.gz"), images(3, 2, 4, px), true);
        write(dir.resolve("lab.gz"), labels(new byte[] {1, 9, 0}), true);
        Configuration conf = new Configuration();
        for (String name : List.of("img", "img.gz")) {
            IdxImages im = IdxReader.readImages(conf, dir.resolve(name).toString());
            assertEquals(3, im.count());
            assertEquals(2, im.rows());
            assertEquals(4, im.cols());
            assertArrayEquals(px, im.pixels());
            assertEquals(px[8 + 5] & 0xFF, im.pixel(1, 5));
        }
        assertArrayEquals(new byte[] {1, 9, 0}, IdxReader.readLabels(conf, dir.resolve("lab.gz").toString()));
    }

    @Test
    void givenWrongMagicOrTruncatedIdx_whenRead_thenClearErrors() throws Exception {
        Configuration conf = new Configuration();
        write(dir.resolve("lab"), labels(new byte[] {1, 2}), false);
        String m = assertThrows(DataException.class, () -> IdxReader.readImages(conf, dir.resolve("lab").toString())).getMessage();
        assertTrue(m.contains("is not an IDX image file: magic 0x00000801, expected 0x00000803"), m);
        byte[] full = images(2, 2, 2, new byte[8]);
        write(dir.resolve("short"), java.util.Arrays.copyOf(full, full.length - 3), false);
        String t = assertThrows(DataException.class, () -> IdxReader.readImages(conf, dir.resolve("short").toString())).getMessage();
        assertTrue(t.contains("truncated: header declares 8 data bytes, found 5"), t);
        String missing = assertThrows(DataException.class, () -> IdxReader.readLabels(conf, dir.resolve("no").toString())).getMessage();
        assertTrue(missing.contains("IDX file does not exist"), missing);
    }

    private Path fakeFashion(int train, int test) throws IOException {
        Path in = Files.createDirectories(dir.resolve("idx"));
        Random rnd = new Random(5);
        for (String set : List.of("train", "t10k")) {
            int n = set.equals("train") ? train : test;
            byte[] px = new byte[n * 4 * 4];
            rnd.nextBytes(px);
            byte[] lab = new byte[n];
            for (int i = 0; i < n; i++) lab[i] = (byte) (i % 10);
            write(in.resolve(set + "-images-idx3-ubyte.gz"), images(n, 4, 4, px), true);
            write(in.resolve(set + "-labels-idx1-ubyte" + (set.equals("train") ? ".gz" : "")), labels(lab), set.equals("train"));
        }
        return in;
    }

    @Test
    void givenSmallIdxSet_whenConvertedToParquet_thenLoaderReadsScaledPixels() throws Exception {
        Path in = fakeFashion(25, 7);
        String out = dir.resolve("out").toString();
        ConvertResult r = FashionMnistConverter.convert(spark, in.toString(), out, false);
        assertEquals(25, r.trainRows());
        assertEquals(7, r.testRows());
        assertTrue(Files.isDirectory(dir.resolve("out/train.parquet")) && Files.isDirectory(dir.resolve("out/test.parquet")));
        try (var s = Files.list(dir.resolve("out"))) {
            assertEquals(2, s.count(), "no temp directory left behind");
        }
        IdxImages im = IdxReader.readImages(new Configuration(), in.resolve("train-images-idx3-ubyte.gz").toString());
        DataSpec spec = new DataSpec(r.trainPath(), DataFormat.PARQUET, 0, LabelType.CLASS_INDEX, 0, "label", false, ',',
                "features", null, BadRowPolicy.FAIL);
        LoadedData d = DataLoader.load(spark, spec, 2, 1L);
        assertEquals(25, d.count());
        assertEquals(16, d.numFeatures());
        assertEquals(10, d.numClasses());
        List<double[]> rows = TestSpark.rows(d);
        for (int i = 0; i < 25; i++) {
            assertEquals(i % 10, rows.get(i)[1]);
            for (int p = 0; p < 16; p++) assertEquals(im.pixel(i, p) / 255.0, rows.get(i)[2 + p], 1e-12);
        }

        String again = assertThrows(DataException.class,
                () -> FashionMnistConverter.convert(spark, in.toString(), out, false)).getMessage();
        assertTrue(again.contains("already exists"), again);
        assertEquals(25, FashionMnistConverter.convert(spark, in.toString(), out, true).trainRows());
    }

    @Test
    void givenSmallIdxSet_whenConvertedToLibsvm_thenLoaderReadsSameValues() throws Exception {
        Path in = fakeFashion(12, 3);
        ConvertResult r = FashionMnistConverter.convert(spark, in.toString(), dir.resolve("lib").toString(),
                DataFormat.LIBSVM, false);
        IdxImages im = IdxReader.readImages(new Configuration(), in.resolve("t10k-images-idx3-ubyte.gz").toString());
        LoadedData d = DataLoader.load(spark, TestSpark.libsvm(r.testPath(), 16, LabelType.CLASS_INDEX, 10,
                BadRowPolicy.FAIL), 1, 1L);
        List<double[]> rows = TestSpark.rows(d);
        assertEquals(3, rows.size());
        for (int p = 0; p < 16; p++) assertEquals(im.pixel(2, p) / 255.0, rows.get(2)[2 + p], 1e-12);
    }

    @Test
    void givenMismatchedCounts_whenConverting_thenFailsBeforeWriting() throws Exception {
        Path in = fakeFashion(5, 3);
        write(in.resolve("t10k-labels-idx1-ubyte"), labels(new byte[] {1, 2}), false);
        String out = dir.resolve("bad").toString();
        String m = assertThrows(DataException.class,
                () -> FashionMnistConverter.convert(spark, in.toString(), out, false)).getMessage();
        assertTrue(m.contains("t10k set") && m.contains("3 images but 2 labels"), m);
        assertTrue(!Files.exists(dir.resolve("bad/train.parquet")));
    }

    /**
     * The four Fashion-MNIST files at full size (60000 + 10000 images of 28x28, gzip, 6000 per class) when Debian's
     * dataset-fashion-mnist is not installed, so that this test runs everywhere (CI included).
     */
    private Path fashionMnistFiles() throws IOException {
        if (Files.exists(REAL.resolve("train-images-idx3-ubyte.gz"))) return REAL;
        Path in = Files.createDirectories(dir.resolve("fashion-mnist"));
        for (String set : List.of("train", "t10k")) {
            int n = set.equals("train") ? 60000 : 10000;
            byte[] px = new byte[n * 28 * 28];
            for (int i = 0; i < px.length; i++) px[i] = (byte) ((i / 784 + i % 784) & 0xff);
            byte[] lab = new byte[n];
            for (int i = 0; i < n; i++) lab[i] = (byte) (i % 10);
            write(in.resolve(set + "-images-idx3-ubyte.gz"), images(n, 28, 28, px), true);
            write(in.resolve(set + "-labels-idx1-ubyte.gz"), labels(lab), true);
        }
        return in;
    }

    @Test
    void givenFashionMnistFiles_whenHeadersRead_thenSixtyThousandOf28x28() throws Exception {
        Path idx = fashionMnistFiles();
        Path img = idx.resolve("train-images-idx3-ubyte.gz");
        Configuration conf = new Configuration();
        IdxImages im = IdxReader.readImages(conf, img.toString());
        assertEquals(60000, im.count());
        assertEquals(28, im.rows());
        assertEquals(28, im.cols());
        byte[] lab = IdxReader.readLabels(conf, idx.resolve("train-labels-idx1-ubyte.gz").toString());
        assertEquals(60000, lab.length);
        int[] perClass = new int[10];
        for (byte b : lab) perClass[b]++;
        for (int c : perClass) assertEquals(6000, c);
        assertEquals(10000, IdxReader.readLabels(conf, idx.resolve("t10k-labels-idx1-ubyte.gz").toString()).length);
    }
}
