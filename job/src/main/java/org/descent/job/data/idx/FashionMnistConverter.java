package org.descent.job.data.idx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.descent.job.data.DataException;
import org.descent.job.data.DataFormat;

/**
 * Converts the Fashion-MNIST IDX files into a format {@link org.descent.job.data.DataLoader} reads.
 *
 * <p>Input: {@code idxDir} (any Hadoop filesystem path) holding {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte},
 * each optionally with {@code .gz} (Debian's {@code dataset-fashion-mnist} puts them in
 * {@code /usr/share/datasets/fashion-mnist/}). All four are read and validated before anything is written.
 *
 * <p>Output (Parquet, the default): {@code <outDir>/train.parquet} and {@code <outDir>/test.parquet},
 * Spark Parquet directories with columns {@code label int} (class 0..9) and
 * {@code features array<double>} (784 = 28x28 pixels, row-major, value = byte / 255.0 in [0, 1]).
 * Read them with {@code format=PARQUET, labelColumn=label, featuresColumn=features, labelType=CLASS_INDEX}.
 * LIBSVM output: {@code <outDir>/train.libsvm} and {@code <outDir>/test.libsvm} (directories of part
 * files; zero pixels omitted, index = pixel + 1).
 *
 * <p>Atomicity: both sets are written under {@code <outDir>/_tmp-convert-<uuid>/} and then each is renamed
 * into place, so a target is either absent, the old complete output, or the new complete output
 * (rename is atomic on HDFS and local filesystems, not on object stores). Existing targets are an error
 * unless {@code overwrite}. The temp directory is removed on failure.
 */
public final class FashionMnistConverter {
    /** Images per Spark task when writing. */
    private static final int CHUNK = 10_000;

    private FashionMnistConverter() {}

    /** Parquet conversion (see class doc); the entry point of the CLI's {@code convert}. */
    public static ConvertResult convert(SparkSession spark, String idxDir, String outDir, boolean overwrite) {
        return convert(spark, idxDir, outDir, DataFormat.PARQUET, overwrite);
    }

    /** Conversion to {@link DataFormat#PARQUET} or {@link DataFormat#LIBSVM}. */
    public static ConvertResult convert(SparkSession spark, String idxDir, String outDir, DataFormat format,
                                        boolean overwrite) {
        if (format != DataFormat.PARQUET && format != DataFormat.LIBSVM) {
            throw new IllegalArgumentException("convert writes PARQUET or LIBSVM, not " + format);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration conf = jsc.hadoopConfiguration();
        String ext = format == DataFormat.PARQUET ? ".parquet" : ".libsvm";
        Path out = new Path(outDir);
        Path trainTarget = new Path(out, "train" + ext);
        Path testTarget = new Path(out, "test" + ext);
        try {
            FileSystem fs = out.getFileSystem(conf);
            for (Path t : List.of(trainTarget, testTarget)) {
                if (fs.exists(t) && !overwrite) {
                    throw new DataException("output " + t + " already exists; remove it or convert with overwrite");
                }
            }
            IdxImages trainImages = IdxReader.readImages(conf, find(conf, idxDir, "train-images-idx3-ubyte"));
            byte[] trainLabels = IdxReader.readLabels(conf, find(conf, idxDir, "train-labels-idx1-ubyte"));
            IdxImages testImages = IdxReader.readImages(conf, find(conf, idxDir, "t10k-images-idx3-ubyte"));
            byte[] testLabels = IdxReader.readLabels(conf, find(conf, idxDir, "t10k-labels-idx1-ubyte"));
            check(trainImages, trainLabels, "train", idxDir);
            check(testImages, testLabels, "t10k", idxDir);

            Path tmp = new Path(out, "_tmp-convert-" + UUID.randomUUID());
            try {
                write(spark, jsc, trainImages, trainLabels, new Path(tmp, trainTarget.getName()), format);
                write(spark, jsc, testImages, testLabels, new Path(tmp, testTarget.getName()), format);
                for (Path t : List.of(trainTarget, testTarget)) {
                    if (fs.exists(t) && !fs.delete(t, true)) throw new IOException("cannot delete " + t);
                    if (!fs.rename(new Path(tmp, t.getName()), t)) throw new IOException("cannot rename into " + t);
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof DataException d) throw d;
                throw new WriteFailedException("writing " + outDir + " failed: " + e.getMessage(), e);
            } finally {
                fs.delete(tmp, true);
            }
            return new ConvertResult(trainImages.count(), testImages.count(), trainTarget.toString(), testTarget.toString());
        } catch (IOException e) {
            throw new DataException("converting " + idxDir + " to " + outDir + " failed: " + e.getMessage(), e);
        }
    }

    private static String find(Configuration conf, String dir, String base) throws IOException {
        for (String name : List.of(base + ".gz", base)) {
            Path p = new Path(dir, name);
            if (p.getFileSystem(conf).exists(p)) return p.toString();
        }
        throw new DataException("missing " + base + "[.gz] in " + dir + " (expected the four Fashion-MNIST IDX files)");
    }

    private static void check(IdxImages images, byte[] labels, String set, String dir) {
        if (images.count() != labels.length) {
            throw new DataException(set + " set in " + dir + ": " + images.count() + " images but " + labels.length + " labels");
        }
    }

    private static void write(SparkSession spark, JavaSparkContext jsc, IdxImages images, byte[] labels, Path target,
                              DataFormat format) {
        int px = images.rows() * images.cols();
        List<Chunk> chunks = new ArrayList<>();
        for (int from = 0; from < images.count(); from += CHUNK) {
            int to = Math.min(images.count(), from + CHUNK);
            chunks.add(new Chunk(px, Arrays.copyOfRange(images.pixels(), from * px, to * px),
                    Arrays.copyOfRange(labels, from, to)));
        }
        JavaRDD<Chunk> rdd = jsc.parallelize(chunks, chunks.size());
        if (format == DataFormat.LIBSVM) {
            rdd.flatMap(c -> c.libsvm().iterator()).saveAsTextFile(target.toString());
            return;
        }
        StructType schema = new StructType()
                .add("label", DataTypes.IntegerType, false)
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        spark.createDataFrame(rdd.flatMap(c -> c.rows().iterator()), schema)
                .write().mode(SaveMode.ErrorIfExists).parquet(target.toString());
    }

    /** A slice of images shipped to one task. */
    private record Chunk(int px, byte[] pixels, byte[] labels) implements java.io.Serializable {
        List<Row> rows() {
            List<Row> out = new ArrayList<>(labels.length);
            for (int i = 0; i < labels.length; i++) {
                double[] f = new double[px];
                for (int p = 0; p < px; p++) f[p] = (pixels[i * px + p] & 0xFF) / 255.0;
                out.add(RowFactory.create(labels[i] & 0xFF, f));
            }
            return out;
        }

        List<String> libsvm() {
            List<String> out = new ArrayList<>(labels.length);
            for (int i = 0; i < labels.length; i++) {
                StringBuilder sb = new StringBuilder().append(labels[i] & 0xFF);
                for (int p = 0; p < px; p++) {
                    int v = pixels[i * px + p] & 0xFF;
                    if (v != 0) sb.append(' ').append(p + 1).append(':').append(v / 255.0);
                }
                out.add(sb.toString());
            }
            return out;
        }
    }

    /** The input was fine but the output could not be written (nothing is left at the targets). */
    public static final class WriteFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WriteFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
