package org.descent.ml;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.descent.job.config.JobConfig;
import org.descent.job.data.BadRowPolicy;
import org.descent.job.data.DataException;
import org.descent.job.data.LabelType;
import org.descent.job.data.ExternalRows;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowAssignment;
import org.descent.job.data.Storage;
import org.descent.job.train.DataStage;
import scala.Tuple2;

/**
 * A DataFrame as the job's training input, with the data stage's rules: every row validated (features
 * finite and all of one width, labels finite; class indices whole numbers in range), bad rows failing
 * the fit or skipped under {@code data.bad-rows}; row id = rank among the valid rows in the DataFrame's
 * order; holdout by {@link RowAssignment#inHoldout}; rows placed by {@link RowAssignment#partitionOf}.
 *
 * <p>One pass over the DataFrame: each of its partitions keeps its valid rows as an {@link ExternalRows.Part} (a
 * sparse vector's entries only, never a dense row of its size) and returns its {@link Stats}; the driver checks
 * them, then {@link ExternalRows} decides the representation ({@code data.representation}: auto from the measured
 * density and width, as {@code train}) and packs the parts with the data stage's packer into one dense or CSR
 * block per partition. So a DataFrame read from a single Parquet file gives the same blocks as {@code train} on
 * that file.
 */
final class DatasetInput implements AutoCloseable {
    /** Largest class index accepted when inferring the class count (as the job's data stage). */
    private static final int MAX_INFERRED_CLASS = 1 << 24;
    /** The input's name in the data stage's messages and logs. */
    static final String SOURCE = "the DataFrame";

    final DataStage.Input input;
    /** How the rows are packed (counts, non-zeros, representation). */
    final ExternalRows.Shape shape;
    private final JavaRDD<Tuple2<ExternalRows.Part, Stats>> cached;

    private DatasetInput(DataStage.Input input, ExternalRows.Shape shape, JavaRDD<Tuple2<ExternalRows.Part, Stats>> cached) {
        this.input = input;
        this.shape = shape;
        this.cached = cached;
    }

    @Override
    public void close() {
        cached.unpersist(false);
    }

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
        JavaRDD<Tuple2<ExternalRows.Part, Stats>> parsed = sel.javaRDD().mapPartitionsWithIndex((index, rows) -> {
            ExternalRows.Part part = new ExternalRows.Part(SOURCE, index);
            Stats s = new Stats();
            while (rows.hasNext()) parse(rows.next(), fc, labelCol, classes, configured, part, s);
            s.nonZeros = part.nonZeros();
            return List.of(new Tuple2<>(part, s)).iterator();
        }, true).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<Stats> perPart = parsed.map(Tuple2::_2).collect();
            Stats s = Stats.ofParts(perPart);
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
            var tc = cfg.training();
            long[] validRows = perPart.stream().mapToLong(p -> p.valid).toArray();
            ExternalRows.Shape shape = new ExternalRows.Shape(SOURCE, validRows, numFeatures, numClasses, s.nonZeros,
                    new LinkedHashMap<>(s.badCounts), cfg.data().representation(),
                    DataStage.storage(cfg) == Storage.FLOAT32, tc.partitions(), tc.seed());
            ExternalRows.log(shape);
            JavaRDD<ExternalRows.Part> parts = parsed.map(Tuple2::_1);
            double f = tc.validationFraction();
            if (f > 0) {
                long vCount = 0;
                for (long id = 0; id < s.valid; id++) if (RowAssignment.inHoldout(tc.seed(), id, f)) vCount++;
                if (vCount == 0 || vCount == s.valid) {
                    throw new DataException("validationFraction=" + f + " of the " + s.valid + " rows leaves "
                            + (vCount == 0 ? "no validation" : "no training") + " rows; change the fraction or use more data");
                }
                LoadedData train = ExternalRows.pack(parts, parsed, shape, f, false, s.valid - vCount);
                LoadedData val = ExternalRows.pack(parts, parsed, shape, f, true, vCount);
                return new DatasetInput(new DataStage.Input(train, val), shape, parsed);
            }
            return new DatasetInput(new DataStage.Input(ExternalRows.pack(parts, parsed, shape, 0, false, s.valid), null),
                    shape, parsed);
        } catch (RuntimeException e) {
            parsed.unpersist(false);
            throw e;
        }
    }

    /** Validates one row (at the next position of {@code s}) and keeps it in {@code part} when valid. */
    private static void parse(Row r, FeatureColumn fc, String labelCol, boolean classes, int numClasses,
                              ExternalRows.Part part, Stats s) {
        FeatureColumn.Cell cell = fc.cell(r, 0);
        String problem = cell.problem() != null ? cell.problem() : labelProblem(r, labelCol, classes, numClasses);
        if (problem != null) {
            s.bad(problem);
            return;
        }
        double y = r.getDouble(1);
        part.add(y, cell.indices(), cell.values());
        s.valid(y, cell.width());
    }

    /** Why the label of {@code r} is bad, or null. */
    private static String labelProblem(Row r, String labelCol, boolean classes, int numClasses) {
        if (r.isNullAt(1)) return "null label in column '" + labelCol + "'";
        double y = r.getDouble(1);
        if (!Double.isFinite(y)) return "non-finite label " + y + " in column '" + labelCol + "'";
        if (classes) {
            if (y != Math.rint(y)) return "label " + y + " is not an integer class index";
            int max = numClasses > 0 ? numClasses - 1 : MAX_INFERRED_CLASS;
            if (y < 0 || y > max) return "label " + (long) y + " outside classes 0.." + max;
        }
        return null;
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

    /**
     * Counts and extremes of the validation pass. A partition's positions are local (0 = its first row) while it
     * parses; {@link #ofParts} shifts them by the rows of the earlier partitions and merges, so the first bad row
     * (and the narrowest/widest) is the one with the lowest position in the DataFrame.
     */
    static final class Stats implements Serializable {
        private static final long serialVersionUID = 2L;
        long records;
        long valid;
        long bad;
        long nonZeros;
        final Map<String, Long> badCounts = new TreeMap<>();
        String firstBad;
        long firstBadAt = Long.MAX_VALUE;
        double maxLabel = Double.NEGATIVE_INFINITY;
        int minWidth = Integer.MAX_VALUE;
        long minWidthAt;
        int maxWidth = -1;
        long maxWidthAt;

        /** The next row is bad for {@code problem}. */
        void bad(String problem) {
            bad++;
            badCounts.merge(reason(problem), 1L, Long::sum);
            if (firstBad == null) {
                firstBadAt = records;
                firstBad = problem;
            }
            records++;
        }

        /** The next row is valid: its label and width (positions only grow, so the first extreme stays). */
        void valid(double label, int width) {
            valid++;
            maxLabel = Math.max(maxLabel, label);
            if (width < minWidth) {
                minWidth = width;
                minWidthAt = records;
            }
            if (width > maxWidth) {
                maxWidth = width;
                maxWidthAt = records;
            }
            records++;
        }

        /** The whole DataFrame's statistics from its partitions' (in partition order, local positions). */
        static Stats ofParts(List<Stats> parts) {
            Stats m = new Stats();
            for (Stats s : parts) {
                long at = m.records;
                m.records += s.records;
                m.valid += s.valid;
                m.bad += s.bad;
                m.nonZeros += s.nonZeros;
                s.badCounts.forEach((k, v) -> m.badCounts.merge(k, v, Long::sum));
                if (s.firstBad != null && m.firstBad == null) {
                    m.firstBadAt = at + s.firstBadAt;
                    m.firstBad = s.firstBad;
                }
                if (s.valid == 0) continue;
                m.maxLabel = Math.max(m.maxLabel, s.maxLabel);
                if (s.minWidth < m.minWidth) {
                    m.minWidth = s.minWidth;
                    m.minWidthAt = at + s.minWidthAt;
                }
                if (s.maxWidth > m.maxWidth) {
                    m.maxWidth = s.maxWidth;
                    m.maxWidthAt = at + s.maxWidthAt;
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
