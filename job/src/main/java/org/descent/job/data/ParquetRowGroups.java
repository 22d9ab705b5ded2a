package org.descent.job.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex;
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
 * <p>Each row group is parsed on its own into its own chunk(s) ({@link Scan#chunks}), by its task or, in local mode,
 * ahead by {@link ParquetPrefetch} while the Spark session starts: whoever claims it first; the same code on the same
 * bytes gives the same chunks either way.
 *
 * <p>Call order: {@link #eligible} on the driver (the Spark types), then {@link #reads}, then {@link Reads#parse} (or,
 * parsed ahead, {@link Reads#hold}). A file whose Parquet layout is
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
     * A read of the row groups (driver side): the files, the columns, and the row groups parsed ahead in this JVM
     * ({@link ParquetPrefetch}), or null. Call order: either {@link #parse} (a Spark job's tasks parse the splits), or
     * {@link #hold} and, when it held every row group, {@link #held} and, once the chunks are packed, {@link #release}.
     */
    static final class Reads {
        private final SparkSession spark;
        private final List<FileStatus> statuses;
        private final ParquetRowGroupReader.Columns cols;
        private final PrefetchPlan ahead;
        /** The DataFrame's analysis built the SQL session state: take its Hadoop configuration and file settings. */
        private final boolean sessionState;
        /** Set by the first {@link #release} of a hold (explicit, or the cleaner's once the held RDD is unreachable). */
        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        Reads(SparkSession spark, List<FileStatus> statuses, ParquetRowGroupReader.Columns cols,
              PrefetchPlan ahead, boolean sessionState) {
            this.spark = spark;
            this.statuses = statuses;
            this.cols = cols;
            this.ahead = ahead;
            this.sessionState = sessionState;
        }

        /**
         * The chunks of every row group: one {@link ParsedChunk} list per row group, in split and file order, each parsed
         * by the task ({@link #group}) or, when the prefetch parsed it with the same parser settings, taken from it. One
         * task per split, on the hosts holding it.
         */
        JavaRDD<ParsedChunk> parse(RowParser parser, boolean failFast) {
            String token = ahead != null && ahead.key().failFast() == failFast ? ahead.token() : null;
            Configuration hadoop;
            SQLConf sql;
            if (sessionState) {
                hadoop = spark.sessionState().newHadoopConf();
                sql = spark.sessionState().conf();
            } else { // see reads(SparkSession, List, Columns, PrefetchPlan)
                sql = new SQLConf();
                hadoop = new Configuration(spark.sparkContext().hadoopConfiguration());
                for (Tuple2<String, String> e : spark.sparkContext().getConf().getAll()) {
                    sql.setConfString(e._1(), e._2());
                    hadoop.set(e._1(), e._2());
                }
            }
            JavaRDD<Split> splits = splits(spark, statuses, hadoop, sql);
            Broadcast<SerializableConfiguration> c = spark.sparkContext().broadcast(new SerializableConfiguration(hadoop),
                    scala.reflect.ClassTag$.MODULE$.apply(SerializableConfiguration.class));
            ParquetRowGroupReader.Columns columns = cols;
            return splits.mapPartitions(it -> {
                List<Split> mine = new ArrayList<>();
                it.forEachRemaining(mine::add);
                return parseSplits(c.value().value(), mine, columns, parser, failFast, token).iterator();
            });
        }

        /**
         * Every row group parsed on the driver and held for this read ({@link PrefetchPlan#hold}), each row
         * group's chunks in file and row order, or null (no prefetch, other parser settings, or not all of them parsed
         * there). The calling thread parses what the prefetch has not reached when a job's tasks would not parse it
         * faster: with at most two task slots (the read's thread and the prefetch's are two parsers too; Fashion-MNIST on
         * 2 cores: 1-3 of 7 row groups left when the session is up). With more slots only a prefetch that has reached
         * every row group is held; else the tasks parse the rest in parallel, as without a hold.
         */
        java.util.LinkedHashMap<ParquetPrefetch.Group, List<ParsedChunk>> hold(boolean failFast) {
            if (ahead == null || ahead.key().failFast() != failFast) return null;
            return ahead.hold(spark.sparkContext().defaultParallelism() <= 2);
        }

        /**
         * The held row groups {@code groups} as an RDD, one partition per row group, without a Spark job, a broadcast or a
         * split: each task takes its row group's chunks from the plan (local mode: the tasks run in this JVM), and once
         * the hold is released (a block recomputed later) parses the row group itself, with the executor's Hadoop
         * configuration (the SparkContext's, made from the same Spark settings). A caller that never calls
         * {@link #release} loses the hold once the RDD is unreachable (as Spark's context cleaner unpersists a cached RDD
         * nobody references), so the held chunks cannot outlive every use of them.
         */
        JavaRDD<ParsedChunk> held(List<ParquetPrefetch.Group> groups, RowParser parser, boolean failFast) {
            String token = ahead.token();
            ParquetRowGroupReader.Columns columns = cols;
            JavaRDD<ParsedChunk> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(groups, Math.max(1, groups.size()))
                    .mapPartitions(it -> {
                        PrefetchPlan plan = ParquetPrefetch.plan(token);
                        List<ParsedChunk> out = new ArrayList<>();
                        while (it.hasNext()) {
                            ParquetPrefetch.Group g = it.next();
                            List<ParsedChunk> taken = plan == null ? null : plan.take(g.file(), g.firstRow());
                            out.addAll(taken != null ? taken : parseGroup(g, columns, parser, failFast));
                        }
                        return out.iterator();
                    });
            HeldCleaner.CLEANER.register(rdd.rdd(), this::release); // the action holds this read, not the RDD
            return rdd;
        }

        /** Ends a successful {@link #hold} (once; later calls do nothing). */
        void release() {
            if (released.compareAndSet(false, true)) ahead.release();
        }
    }

    /** The cleaner of {@link Reads#held} (its thread is started by the first hold only). */
    private static final class HeldCleaner {
        static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();
    }

    /** Row group {@code g} parsed by a task (a held one, after its release), with the executor's configuration. */
    private static List<ParsedChunk> parseGroup(ParquetPrefetch.Group g, ParquetRowGroupReader.Columns cols,
                                                RowParser parser, boolean failFast) {
        Configuration conf = org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf());
        Path path = new Path(java.net.URI.create(g.file()));
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf),
                HadoopReadOptions.builder(conf, path).build())) {
            return group(reader, g.file(), g.index(), cols, parser, failFast, () -> false);
        } catch (IOException e) {
            throw new DataException("cannot read Parquet file " + g.file() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The read of {@code df}'s files as (file, row index, [label], features) rows, one task per split.
     *
     * @param labelName null when the label column is absent (scoring)
     */
    static Reads reads(SparkSession spark, Dataset<Row> df, String labelName, DataType labelType, String featuresName,
                       DataType elementType) {
        return new Reads(spark, files(df), new ParquetRowGroupReader.Columns(labelName, labelType, featuresName,
                elementType), null, true);
    }

    /**
     * The read of {@code statuses} (the files as Spark's file index lists them) as rows of {@code cols}, taking what
     * {@code ahead} parsed (null: nothing). Without the SQL session state: a training run needs nothing else of it, and
     * its first use (analyser, catalogs, function registry) cost ~0.5 s of the read on 2 cores (issue 17). Its parse job
     * takes the settings the session state would hold for a session started with the SparkContext's configuration
     * (SQL settings: every entry of it; Hadoop configuration: the context's plus every entry, as
     * {@code SessionState.newHadoopConf} adds them).
     */
    static Reads reads(SparkSession spark, List<FileStatus> statuses, ParquetRowGroupReader.Columns cols,
                       PrefetchPlan ahead) {
        return new Reads(spark, statuses, cols, ahead, false);
    }

    /** The splits of {@code statuses} as an RDD: Spark's file splitting, each split on the hosts holding it. */
    private static JavaRDD<Split> splits(SparkSession spark, List<FileStatus> statuses, Configuration hadoop, SQLConf sql) {
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
            return spark.sparkContext().makeRDD(CollectionConverters.asScala(splits).toSeq(),
                    scala.reflect.ClassTag$.MODULE$.apply(Split.class)).toJavaRDD();
        } catch (IOException e) {
            throw new DataException("cannot locate the blocks of the Parquet files " + statuses + ": " + e.getMessage(), e);
        }
    }

    /**
     * One task: the row groups of its splits (those whose midpoint lies in the split's byte range, parquet-mr's rule),
     * each parsed into its own chunks, or taken from the prefetch {@code token} names when it parsed them first.
     */
    static List<ParsedChunk> parseSplits(Configuration conf, List<Split> splits, ParquetRowGroupReader.Columns cols,
                                         RowParser parser, boolean failFast, String token) {
        PrefetchPlan ahead = token == null ? null : ParquetPrefetch.plan(token);
        List<ParsedChunk> out = new ArrayList<>();
        for (Split s : splits) {
            Path path = new Path(java.net.URI.create(s.file()));
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf),
                    HadoopReadOptions.builder(conf, path).withRange(s.start(), s.end()).build())) {
                for (int g = 0; g < reader.getRowGroups().size(); g++) {
                    BlockMetaData b = reader.getRowGroups().get(g);
                    if (b.getRowCount() == 0) continue;
                    List<ParsedChunk> taken = ahead == null || b.getRowIndexOffset() < 0 ? null
                            : ahead.take(s.file(), b.getRowIndexOffset());
                    out.addAll(taken != null ? taken : group(reader, s.file(), g, cols, parser, failFast, () -> false));
                }
            } catch (IOException e) {
                throw new DataException("cannot read Parquet file " + s.file() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Row group {@code g} of the open {@code reader}, parsed ({@link Scan#chunks}: one run, so one chunk) and trimmed
     * ({@link ParsedChunk#trimmed}: a chunk per row group is cached, and a file of small row groups would otherwise cache
     * a whole last page, up to 1 MB, with each); {@code stop} is asked before each row (the prefetch gives up a row group
     * when it is closed).
     */
    static List<ParsedChunk> group(ParquetFileReader reader, String file, int g, ParquetRowGroupReader.Columns cols,
                                   RowParser parser, boolean failFast, BooleanSupplier stop) throws IOException {
        Iterator<InputRecord> rows = ParquetSource.tagInternal(new ParquetRowGroupReader(reader, file, g, cols));
        List<ParsedChunk> chunks = Scan.chunks(new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (stop.getAsBoolean()) throw new ParquetPrefetch.Stopped();
                return rows.hasNext();
            }

            @Override
            public InputRecord next() {
                return rows.next();
            }
        }, parser, failFast);
        chunks.forEach(ParsedChunk::trimmed);
        return chunks;
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
