package org.descent.job.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.util.SerializableConfiguration;

import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The fast path of {@link ParquetSource} for the array layout (a numeric label and one {@code array<numeric>} features
 * column, no id column): reads the two columns straight from the Parquet row groups with parquet-mr's column readers
 * ({@link ParquetRowGroupReader}) inside the tasks, instead of {@code spark.read().parquet}'s scan. Measured on
 * Fashion-MNIST (60k x 784 doubles, a cold JVM as at start-up): Spark's nested-column vectorized reader, its
 * {@code ColumnarToRow} copy and whole-stage code generation cost ~2x the CPU of this path.
 *
 * <p>It hands the parser exactly the rows the Spark path selects: (file path as {@code _metadata.file_path} gives it,
 * 0-based row index in the file, label, features), the same Spark types, so the values, row ids, bad rows and messages
 * are the same ({@link ParquetParser}). Splits follow Spark's file splitting: each file is cut into byte ranges of at
 * most {@link #maxSplitBytes} and a row group belongs to the range holding its midpoint (parquet-mr's rule, as Spark's
 * reader), so each row is read once; tasks prefer the hosts holding their range.
 *
 * <p>Call order: {@link #eligible} on the driver (the Spark types), then {@link #records}. A file whose Parquet layout is
 * not the one this path reads (another physical type than the dataset's, a logical annotation, a legacy two-level list,
 * a partition column) makes its task throw {@link Unsupported}; {@link DataLoader} then reads the input again through
 * Spark's scan, so such inputs behave exactly as before.
 */
final class ParquetRowGroups {
    private ParquetRowGroups() {}

    /** A file this path does not read; the caller falls back to Spark's Parquet scan. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }

        /** Whether {@code t} or a cause of it is an {@link Unsupported} (Spark wraps task failures). */
        static boolean in(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
                if (c instanceof Unsupported || String.valueOf(c.getMessage()).contains(Unsupported.class.getName())) return true;
            }
            return false;
        }
    }

    /** One task's input: a byte range of a file (its path as Spark's {@code _metadata.file_path} names it). */
    record Split(String file, long start, long end) implements Serializable {}

    /** Whether the Spark types suit this path: label absent or int/long/float/double; elements the same. */
    static boolean eligible(DataType labelType, DataType elementType) {
        return (labelType == null || primitive(labelType)) && elementType != null && primitive(elementType);
    }

    static boolean primitive(DataType t) {
        return t instanceof IntegerType || t instanceof LongType || t instanceof FloatType || t instanceof DoubleType;
    }

    /**
     * The rows of {@code files} as (file, row index, [label], features) internal rows, one task per split.
     *
     * @param labelName null when the label column is absent (scoring)
     */
    static JavaRDD<InternalRow> records(SparkSession spark, Dataset<Row> df, String labelName, DataType labelType,
                                        String featuresName, DataType elementType) {
        Configuration hadoop = spark.sessionState().newHadoopConf();
        SQLConf sql = spark.sessionState().conf();
        List<FileStatus> statuses = files(df);
        long total = 0;
        try {
            for (FileStatus st : statuses) total += st.getLen() + sql.filesOpenCostInBytes();
            long maxSplit = maxSplitBytes(sql.filesMaxPartitionBytes(), sql.filesOpenCostInBytes(), total,
                    spark.sparkContext().defaultParallelism());
            List<Tuple2<Split, scala.collection.immutable.Seq<String>>> splits = new ArrayList<>();
            for (FileStatus st : statuses) {
                String file = filePath(st.getPath());
                FileSystem fs = st.getPath().getFileSystem(hadoop);
                for (long start = 0; start < Math.max(1, st.getLen()); start += maxSplit) {
                    long end = Math.min(st.getLen(), start + maxSplit);
                    splits.add(new Tuple2<>(new Split(file, start, end), hosts(fs, st, start, end - start)));
                }
            }
            Broadcast<SerializableConfiguration> conf = spark.sparkContext().broadcast(new SerializableConfiguration(hadoop),
                    scala.reflect.ClassTag$.MODULE$.apply(SerializableConfiguration.class));
            ParquetRowGroupReader.Columns cols = new ParquetRowGroupReader.Columns(labelName, labelType, featuresName, elementType);
            return spark.sparkContext().makeRDD(CollectionConverters.asScala(splits).toSeq(),
                            scala.reflect.ClassTag$.MODULE$.apply(Split.class))
                    .toJavaRDD().mapPartitions(it -> {
                        List<Split> mine = new ArrayList<>();
                        it.forEachRemaining(mine::add);
                        return new ParquetRowGroupReader(conf.value().value(), mine, cols);
                    });
        } catch (IOException e) {
            throw new DataException("cannot locate the blocks of the Parquet files " + statuses + ": " + e.getMessage(), e);
        }
    }

    /** The files of {@code df}'s scan as Spark's file index listed them (the paths {@code _metadata.file_path} names). */
    private static List<FileStatus> files(Dataset<Row> df) {
        List<FileStatus> out = new ArrayList<>();
        for (LogicalPlan leaf : CollectionConverters.asJava(df.queryExecution().analyzed().collectLeaves())) {
            if (leaf instanceof LogicalRelation lr && lr.relation() instanceof HadoopFsRelation h
                    && h.location() instanceof PartitioningAwareFileIndex index) {
                out.addAll(CollectionConverters.asJava(index.allFiles()));
            }
        }
        if (out.isEmpty()) throw new Unsupported("no file index in the plan of " + df.queryExecution().analyzed());
        return out;
    }

    /**
     * The file as {@code _metadata.file_path} names it: the URL-encoded URI, without the empty authority
     * ({@code file:/tmp/a%20b}, not {@code file:///tmp/a%20b}); checked against Spark in ParquetRowGroupsTest.
     */
    static String filePath(Path p) {
        java.net.URI u = p.toUri();
        String authority = u.getRawAuthority();
        if (u.getScheme() != null && (authority == null || authority.isEmpty()) && u.getRawQuery() == null
                && u.getRawFragment() == null) {
            return u.getScheme() + ":" + u.getRawPath();
        }
        return u.toString();
    }

    /** Spark's {@code FilePartition.maxSplitBytes}: spread the input over the cores, within [open cost, max bytes]. */
    static long maxSplitBytes(long maxPartitionBytes, long openCost, long totalWithOpenCosts, int parallelism) {
        long perCore = totalWithOpenCosts / Math.max(1, parallelism);
        return Math.min(maxPartitionBytes, Math.max(openCost, perCore));
    }

    private static scala.collection.immutable.Seq<String> hosts(FileSystem fs, FileStatus st, long start, long len)
            throws IOException {
        List<String> hosts = new ArrayList<>();
        if (len > 0) {
            for (BlockLocation b : fs.getFileBlockLocations(st, start, len)) {
                for (String h : b.getHosts()) if (!"localhost".equals(h) && !hosts.contains(h)) hosts.add(h);
            }
        }
        return CollectionConverters.asScala(hosts).toList();
    }
}
