package org.descent.ml;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.descent.job.config.JobConfig;
import org.descent.job.data.BadRowPolicy;
import org.descent.job.data.DataException;
import org.descent.job.data.LabelType;
import org.descent.job.data.IdPartitioners;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowAssignment;
import org.descent.job.data.RowBlock;
import org.descent.job.train.DataStage;
import scala.Tuple2;

/**
 * A DataFrame as the job's training input, with the data stage's rules: every row validated (features
 * finite and all of one width, labels finite; class indices whole numbers in range), bad rows failing
 * the fit or skipped under {@code data.bad-rows}; row id = rank among the valid rows in the DataFrame's
 * order; holdout by {@link RowAssignment#inHoldout}; rows placed by {@link RowAssignment#partitionOf}
 * and packed in id order into one column-major {@link RowBlock} per partition. So a DataFrame read from
 * a single Parquet file gives the same blocks as {@code train} on that file.
 */
final class DatasetInput implements AutoCloseable {
    /** Largest class index accepted when inferring the class count (as the job's data stage). */
    private static final int MAX_INFERRED_CLASS = 1 << 24;

    final DataStage.Input input;
    private final JavaRDD<Sample> cached;

    private DatasetInput(DataStage.Input input, JavaRDD<Sample> cached) {
        this.input = input;
        this.cached = cached;
    }

    @Override
    public void close() {
        cached.unpersist(false);
    }

    /** One DataFrame row: its 0-based position, label, dense features, or why it is bad. */
    record Sample(long position, double label, double[] features, String problem) implements Serializable {}

    /** @param classesFromSchema class count from the label column's ML metadata (StringIndexer), 0 if none */
    static DatasetInput load(Dataset<?> ds, String featuresCol, String labelCol, JobConfig cfg, int classesFromSchema) {
        FeatureColumn fc = FeatureColumn.of(ds.schema(), featuresCol);
        if (!List.of(ds.schema().fieldNames()).contains(labelCol)) {
            throw new IllegalArgumentException("label column '" + labelCol + "' is not in the DataFrame: "
                    + List.of(ds.schema().fieldNames()) + " (set labelCol)");
        }
        boolean classes = cfg.data().labelType() == LabelType.CLASS_INDEX;
        int configured = cfg.data().numClasses();
        Dataset<Row> sel = ds.toDF().select(col(featuresCol), col(labelCol).cast(DataTypes.DoubleType));
        JavaRDD<Sample> parsed = sel.javaRDD().zipWithIndex()
                .map(t -> parse(t._1(), t._2(), fc, labelCol, classes, configured))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Stats s = parsed.aggregate(new Stats(), Stats::add, Stats::merge);
            check(s, cfg.data().badRows());
            int numFeatures = s.minWidth;
            if (s.minWidth != s.maxWidth) {
                throw new DataException("feature vectors in column '" + featuresCol + "' differ in size: " + s.minWidth
                        + " at row " + s.minWidthAt + ", " + s.maxWidth + " at row " + s.maxWidthAt
                        + " (0-based); every row needs the same number of features");
            }
            if (numFeatures < 1) throw new DataException("features column '" + featuresCol + "' has no features");
            int numClasses = !classes ? 0 : configured > 0 ? configured
                    : classesFromSchema > 0 ? Math.max(classesFromSchema, (int) s.maxLabel + 1) : (int) s.maxLabel + 1;
            // id = rank among the valid rows; without bad rows that is the position (no extra job)
            JavaPairRDD<Long, Sample> valid = s.bad == 0 ? parsed.mapToPair(x -> new Tuple2<>(x.position(), x))
                    : parsed.filter(x -> x.problem() == null).zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()));
            var tc = cfg.training();
            long seed = tc.seed();
            double f = tc.validationFraction();
            IdPartitioners.Seeded placement = new IdPartitioners.Seeded(seed, tc.partitions());
            if (f > 0) {
                long vCount = 0;
                for (long id = 0; id < s.valid; id++) if (RowAssignment.inHoldout(seed, id, f)) vCount++;
                if (vCount == 0 || vCount == s.valid) {
                    throw new DataException("validationFraction=" + f + " of the " + s.valid + " rows leaves "
                            + (vCount == 0 ? "no validation" : "no training") + " rows; change the fraction or use more data");
                }
                LoadedData train = pack(valid.filter(t -> !RowAssignment.inHoldout(seed, t._1(), f)), placement,
                        s.valid - vCount, numFeatures, numClasses, s);
                LoadedData val = pack(valid.filter(t -> RowAssignment.inHoldout(seed, t._1(), f)), placement,
                        vCount, numFeatures, numClasses, s);
                return new DatasetInput(new DataStage.Input(train, val), parsed);
            }
            return new DatasetInput(new DataStage.Input(pack(valid, placement, s.valid, numFeatures, numClasses, s),
                    null), parsed);
        } catch (RuntimeException e) {
            parsed.unpersist(false);
            throw e;
        }
    }

    private static Sample parse(Row r, long position, FeatureColumn fc, String labelCol, boolean classes,
                                int numClasses) {
        int width = fc.width(r, 0);
        if (width < 0) return bad(position, "null features in column '" + fc.name + "'");
        double[] x = new double[width];
        String problem = fc.read(r, 0, x, 0, 1);
        if (problem != null) return bad(position, problem);
        if (r.isNullAt(1)) return bad(position, "null label in column '" + labelCol + "'");
        double y = r.getDouble(1);
        if (!Double.isFinite(y)) return bad(position, "non-finite label " + y + " in column '" + labelCol + "'");
        if (classes) {
            if (y != Math.rint(y)) return bad(position, "label " + y + " is not an integer class index");
            int max = numClasses > 0 ? numClasses - 1 : MAX_INFERRED_CLASS;
            if (y < 0 || y > max) return bad(position, "label " + (long) y + " outside classes 0.." + max);
        }
        return new Sample(position, y, x, null);
    }

    private static Sample bad(long position, String problem) {
        return new Sample(position, Double.NaN, null, problem);
    }

    private static void check(Stats s, BadRowPolicy policy) {
        long total = s.valid + s.bad;
        if (total == 0) throw new DataException("the DataFrame has no rows");
        if (s.bad > 0) {
            String first = s.firstBad + " at row " + s.firstBadAt + " (0-based) of the DataFrame";
            if (policy.mode() == BadRowPolicy.Mode.FAIL) {
                throw new DataException(first + "; fix or filter the rows, or set badRows = skip");
            }
            if ((double) s.bad / total > policy.maxBadFraction()) {
                throw new DataException(s.bad + " of " + total + " rows are bad " + s.badCounts + "; first: " + first
                        + "; that is more than maxBadFraction=" + policy.maxBadFraction()
                        + " — fix the data or raise the limit");
            }
        }
        if (s.valid == 0) throw new DataException("no valid rows in the DataFrame (bad rows: " + s.badCounts + ")");
    }

    private static LoadedData pack(JavaPairRDD<Long, Sample> rows, IdPartitioners.Seeded placement, long count, int cols,
                                   int numClasses, Stats s) {
        JavaRDD<RowBlock> blocks = rows.repartitionAndSortWithinPartitions(placement)
                .mapPartitions(it -> List.of(block(it, cols)).iterator());
        return new LoadedData(blocks, count, cols, numClasses, new LinkedHashMap<>(s.badCounts));
    }

    /** The rows of one partition (sorted by id) as a row-major block. */
    private static RowBlock block(Iterator<Tuple2<Long, Sample>> it, int cols) {
        List<Tuple2<Long, Sample>> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        int n = list.size();
        if ((long) n * cols > Integer.MAX_VALUE - 16) {
            throw new DataException("a partition holds " + n + " rows x " + cols
                    + " features, too many for one block; raise numPartitions");
        }
        double[] x = new double[n * cols];
        double[] y = new double[n];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            Sample r = list.get(i)._2();
            ids[i] = list.get(i)._1();
            y[i] = r.label();
            System.arraycopy(r.features(), 0, x, i * cols, cols);
        }
        return RowBlock.rowMajor(n, cols, x, y, ids);
    }

    /** Counts and extremes of the validation pass; the first bad row is the one with the lowest position. */
    static final class Stats implements Serializable {
        private static final long serialVersionUID = 1L;
        long valid;
        long bad;
        final Map<String, Long> badCounts = new TreeMap<>();
        String firstBad;
        long firstBadAt = Long.MAX_VALUE;
        double maxLabel = Double.NEGATIVE_INFINITY;
        int minWidth = Integer.MAX_VALUE;
        long minWidthAt;
        int maxWidth = -1;
        long maxWidthAt;

        Stats add(Sample r) {
            if (r.problem() != null) {
                bad++;
                badCounts.merge(reason(r.problem()), 1L, Long::sum);
                if (r.position() < firstBadAt) {
                    firstBadAt = r.position();
                    firstBad = r.problem();
                }
                return this;
            }
            valid++;
            maxLabel = Math.max(maxLabel, r.label());
            int w = r.features().length;
            if (w < minWidth || (w == minWidth && r.position() < minWidthAt)) {
                minWidth = w;
                minWidthAt = r.position();
            }
            if (w > maxWidth || (w == maxWidth && r.position() < maxWidthAt)) {
                maxWidth = w;
                maxWidthAt = r.position();
            }
            return this;
        }

        Stats merge(Stats o) {
            Stats m = new Stats();
            for (Stats s : List.of(this, o)) {
                m.valid += s.valid;
                m.bad += s.bad;
                s.badCounts.forEach((k, v) -> m.badCounts.merge(k, v, Long::sum));
                if (s.firstBadAt < m.firstBadAt) {
                    m.firstBadAt = s.firstBadAt;
                    m.firstBad = s.firstBad;
                }
                m.maxLabel = Math.max(m.maxLabel, s.maxLabel);
                if (s.minWidth < m.minWidth || (s.minWidth == m.minWidth && s.minWidthAt < m.minWidthAt)) {
                    m.minWidth = s.minWidth;
                    m.minWidthAt = s.minWidthAt;
                }
                if (s.maxWidth > m.maxWidth || (s.maxWidth == m.maxWidth && s.maxWidthAt < m.maxWidthAt)) {
                    m.maxWidth = s.maxWidth;
                    m.maxWidthAt = s.maxWidthAt;
                }
            }
            return m;
        }

        private static String reason(String problem) {
            if (problem.startsWith("null")) return "null";
            if (problem.startsWith("non-finite")) return "non-finite";
            return "label";
        }
    }
}
