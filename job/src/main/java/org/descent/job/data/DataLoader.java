package org.descent.job.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.descent.math.scale.Scaler;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The data stage: reads a {@link DataSpec}, validates every row, and packs the rows into one
 * {@link RowBlock} per partition.
 *
 * <h2>Formats</h2>
 * LIBSVM and CSV are read as text from any Hadoop filesystem path, directory or glob (compressed by
 * extension); Parquet through {@code spark.read().parquet}. See {@link LibsvmParser}, {@link CsvParser},
 * {@link CsvLayout} and {@link ParquetSource} for the exact row rules.
 *
 * <h2>One pass</h2>
 * One job parses every record once ({@link Scan#parse}): each run's valid rows are kept, compactly, as a cached
 * {@link ParsedChunk} (MEMORY_AND_DISK), and its statistics (row counts, bad rows by reason, largest label/index)
 * come back to the driver; it fails fast under {@link BadRowPolicy.Mode#FAIL}, checks the SKIP threshold,
 * and infers {@code numFeatures}/{@code numClasses} when they are 0. The returned blocks are lazy: their
 * lineage packs the cached chunks ({@link BlockPacker}: no second parse; in local mode no shuffle either, on a cluster
 * one compact shuffle that moves each row once); the caller caches them (in their stored form:
 * {@link LoadedData#stored}) and then frees the chunks ({@link LoadedData#release}). A local-mode Parquet read whose
 * row groups were all parsed on the driver ({@link ParquetPrefetch}) runs no job: the same statistics come from the
 * driver's chunks, which the packing tasks then take (not cached; released the same way).
 *
 * <h2>Determinism</h2>
 * <ul>
 *   <li>Row id: the 0-based rank of the row among the valid rows in (file path, line/row) order — stable
 *       for the same input, independent of Spark's splits; dense (0..count-1) before any holdout.</li>
 *   <li>Partition of a row: {@link RowAssignment#partitionOf}(seed, id, partitions); within a block
 *       rows are in id order. Same input, seed and partition count give identical blocks.</li>
 *   <li>Holdout: {@link RowAssignment#inHoldout}(seed, id, fraction), independent of the partitioning.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Everything wrong with the input is a {@link DataException} naming the path, file and line (text) or
 * 0-based row (Parquet), the reason and the fix. Errors inside the lazy blocks' tasks reach the caller
 * wrapped by Spark: use {@link DataException#findIn(Throwable)}.
 */
public final class DataLoader {
    private static final Logger LOG = LogManager.getLogger(DataLoader.class);
    /** Holdout counts up to this many rows are computed on the driver, above it by a Spark job. */
    private static final long DRIVER_COUNT_LIMIT = 20_000_000L;

    private DataLoader() {}

    /** Reads, validates and packs {@code spec} into {@code partitions} seeded-random blocks. */
    public static LoadedData load(SparkSession spark, DataSpec spec, int partitions, long seed) {
        requirePartitions(partitions);
        Prepared p = prepare(spark, spec, false);
        return p.loaded(BlockPacker.Placement.all(new IdPartitioners.Seeded(seed, partitions)), layout(spec, p, partitions),
                p.count);
    }

    /**
     * Reads and validates {@code spec} once, splits the rows by {@link RowAssignment#inHoldout} into
     * {train, validation} and packs each into {@code partitions} seeded-random blocks. Both carry the
     * same counts and bad-row statistics of the whole input; their ids are disjoint. Both are packed from the same
     * parsed rows: {@link LoadedData#release} of either frees them, so release only after caching both.
     *
     * @param validationFraction in (0, 1): expected share of rows in the validation set
     */
    public static LoadedData[] loadWithHoldout(SparkSession spark, DataSpec spec, double validationFraction,
                                               int partitions, long seed) {
        requirePartitions(partitions);
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction must be in (0, 1): " + validationFraction);
        }
        Prepared p = prepare(spark, spec, false);
        long validationCount = holdoutCount(spark, p.count, seed, validationFraction);
        long trainCount = p.count - validationCount;
        if (validationCount == 0 || trainCount == 0) {
            p.free().run();
            throw new DataException("validationFraction=" + validationFraction + " of the " + p.count + " rows in "
                    + spec.path() + " leaves " + (validationCount == 0 ? "no validation" : "no training")
                    + " rows; change the fraction or use more data");
        }
        IdPartitioners.Seeded partitioner = new IdPartitioners.Seeded(seed, partitions);
        BlockPacker.Layout layout = layout(spec, p, partitions);
        return new LoadedData[] {
            p.loaded(new BlockPacker.Placement(partitioner, seed, validationFraction, false), layout, trainCount),
            p.loaded(new BlockPacker.Placement(partitioner, seed, validationFraction, true), layout, validationCount)
        };
    }

    /**
     * Reads for evaluate/predict: same validation, blocks hold contiguous id ranges in input
     * order, each with the original ids ({@link ScoringBlock}). The label column may be absent (labels NaN):
     * LIBSVM lines starting with {@code index:value}, CSV/Parquet without the named label column (CSV
     * without header: when {@code labelColumn} is null). Pass the model's counts via
     * {@link DataSpec#withCounts} so mismatches are errors. The parsed rows stay cached (MEMORY_AND_DISK) while
     * the blocks are referenced; Spark's context cleaner frees them after that.
     */
    public static ScoringData loadForScoring(SparkSession spark, DataSpec spec, int partitions) {
        requirePartitions(partitions);
        Prepared p = prepare(spark, spec, true);
        JavaRDD<ScoringBlock> blocks = new BlockPacker.Rows(p.chunks, p.plan, spec.path(),
                BlockPacker.Placement.all(new IdPartitioners.InOrder(p.count, partitions))).packScoring(layout(spec, p, partitions));
        return new ScoringData(blocks, p.count, p.numFeatures, p.numClasses, p.badCounts);
    }

    /**
     * The parse pass's result: the chunks (cached, or held on the driver), what frees them ({@code free}: unpersists
     * the cached chunks, or releases the driver's hold on them), their id plan and the validated counts.
     */
    private record Prepared(JavaRDD<ParsedChunk> chunks, Runnable free, HashMap<String, long[]> plan, String path,
                            long count, int numFeatures, int numClasses, Map<String, Long> badCounts, long nonZeros) {

        /** Blocks of {@code placement} ({@code rows} of them): float64 lazily, or in any stored form. */
        LoadedData loaded(BlockPacker.Placement placement, BlockPacker.Layout layout, long rows) {
            BlockPacker.Rows routed = new BlockPacker.Rows(chunks, plan, path, placement);
            LoadedData.Packing packing = new LoadedData.Packing() {
                @Override
                public JavaRDD<RowBlock> stored(Scaler scaler, Storage storage) {
                    return routed.pack(layout, BlockPacker.Finish.of(chunks, scaler, storage));
                }

                @Override
                public void release() {
                    free.run();
                }
            };
            return new LoadedData(packing.stored(null, Storage.FLOAT64), rows, numFeatures, numClasses, badCounts,
                    packing);
        }
    }

    /**
     * The block layout: {@code spec.representation()} resolved from the measured density and width (logged
     * with the bytes the blocks will hold; sparse: 4 + 8 bytes per non-zero in float64, 4 + 4 in float32,
     * plus 4 per row; dense: 8 or 4 bytes per value (data.storage); 16 per row for labels and ids).
     */
    private static BlockPacker.Layout layout(DataSpec spec, Prepared p, int partitions) {
        Representation r = spec.representation().resolve(p.count, p.numFeatures, p.nonZeros, partitions);
        boolean sparse = r == Representation.SPARSE;
        double density = p.count == 0 ? 0 : (double) p.nonZeros / ((double) p.count * p.numFeatures);
        long bytes = sparse
                ? 4L * (p.count + partitions) + (spec.floatValues() ? 8L : 12L) * p.nonZeros + 16L * p.count
                : (spec.floatValues() ? 4L : 8L) * p.count * p.numFeatures + 16L * p.count; // one row-major copy
        LOG.info("data {}: {} rows x {} features, {} non-zeros (density {}): {} blocks ({} {}), {} bytes cached"
                        + " ({} per non-zero)", spec.path(), p.count, p.numFeatures, p.nonZeros,
                String.format(java.util.Locale.ROOT, "%.3g", density), r.name().toLowerCase(java.util.Locale.ROOT),
                spec.representation() == Representation.AUTO ? "auto" : "configured",
                spec.floatValues() ? "float32 values" : "float64 values",
                bytes, String.format(java.util.Locale.ROOT, "%.1f", p.nonZeros == 0 ? 0.0 : (double) bytes / p.nonZeros));
        return new BlockPacker.Layout(p.numFeatures, sparse, sparse && spec.floatValues());
    }

    /**
     * The one pass over the input: opens it, parses every record into cached {@link ParsedChunk}s (MEMORY_AND_DISK)
     * while collecting the validation statistics in the same job ({@link #parseOnce}), and applies the bad-row policy.
     * On any error the chunks are freed.
     */
    private static Prepared prepare(SparkSession spark, DataSpec spec, boolean scoring) {
        String path = spec.path();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        InputPaths.requireExists(jsc.hadoopConfiguration(), path);
        BlockPacker.Route.of(jsc); // a wrong spark.descent.data.pack fails before the read, not after it
        LabelRules labels = new LabelRules(spec.labelType(), spec.numClasses());
        long t0 = System.nanoTime();
        Pass pass;
        boolean rowGroups = true;
        while (true) {
            try {
                pass = parseOnce(spark, jsc, spec, labels, scoring, rowGroups);
                break;
            } catch (DataException e) {
                throw e;
            } catch (Exception e) { // Spark's job failures are (undeclared) checked SparkExceptions
                if (rowGroups && ParquetRowGroups.Unsupported.in(e)) {
                    // a file this reader does not handle (ParquetRowGroups): read everything through Spark's scan
                    LOG.info("read {}: through Spark's Parquet scan ({})", path, firstLine(e));
                    rowGroups = false;
                    continue;
                }
                if (e instanceof RuntimeException r) throw readFailure(path, r);
                throw e;
            }
        }
        Scan scan = pass.scan();
        try {
            Prepared p = validated(spec, pass.source(), scan, pass.chunks(), pass.free());
            LOG.info("read {}: {} rows parsed once in {} s ({} runs{})", path, scan.valid + scan.bad,
                    String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - t0) / 1e9), scan.plan.size(),
                    pass.held() ? ", all parsed on the driver" : "");
            return p;
        } catch (RuntimeException e) {
            pass.free().run();
            throw e;
        }
    }

    /** The parse pass: the opened input, its chunks, what frees them, their statistics; held: parsed on the driver. */
    private record Pass(Source source, JavaRDD<ParsedChunk> chunks, Runnable free, Scan scan, boolean held) {}

    /**
     * Opens the input and parses it once: by a Spark job whose tasks cache the chunks and send back their statistics,
     * or, when every Parquet row group was parsed on the driver (local mode: the prefetch and the read's own thread,
     * {@link ParquetRowGroups.Reads#hold}), with no job at all: the statistics come from the held chunks, and the chunks'
     * RDD is not cached (its tasks take the held chunks, until the hold is released). On failure nothing stays cached.
     */
    private static Pass parseOnce(SparkSession spark, JavaSparkContext jsc, DataSpec spec, LabelRules labels,
                                  boolean scoring, boolean rowGroups) {
        boolean failFast = spec.badRows().mode() == BadRowPolicy.Mode.FAIL;
        Source source = open(spark, jsc, spec, labels, scoring, rowGroups);
        ParquetRowGroups.Reads reads = source.rowGroups();
        Map<ParquetPrefetch.Group, List<ParsedChunk>> held = scoring || reads == null ? null : reads.hold(failFast);
        if (held != null) {
            try {
                List<ParsedChunk> all = new ArrayList<>();
                held.values().forEach(all::addAll);
                return new Pass(source, reads.held(new ArrayList<>(held.keySet()), source.parser(), failFast),
                        reads::release, Scan.of(source, all), true);
            } catch (RuntimeException e) {
                reads.release();
                throw e;
            }
        }
        JavaRDD<ParsedChunk> chunks = Scan.parse(source, failFast).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            jsc.setJobDescription("descent: read " + spec.path());
            Scan scan = Scan.of(source, chunks);
            return new Pass(source, chunks, () -> chunks.unpersist(false), scan, false);
        } catch (Exception e) { // incl. Spark's undeclared checked SparkException (rethrown as it is)
            chunks.unpersist(false);
            throw e;
        }
    }

    private static Prepared validated(DataSpec spec, Source source, Scan scan, JavaRDD<ParsedChunk> chunks,
                                      Runnable free) {
        String path = spec.path();
        boolean failFast = spec.badRows().mode() == BadRowPolicy.Mode.FAIL;
        long total = scan.valid + scan.bad;
        if (failFast && scan.firstBadMessage != null) throw new DataException(scan.firstBadMessage);
        if (total == 0) throw new DataException("no rows in " + path + " (the input is empty)");
        if (scan.bad > 0) {
            double share = (double) scan.bad / total;
            String summary = scan.bad + " of " + total + " rows in " + path + " are bad " + scan.badCounts
                    + "; first: " + scan.firstBadMessage;
            if (share > spec.badRows().maxBadFraction()) {
                throw new DataException(summary + "; that is more than maxBadFraction="
                        + spec.badRows().maxBadFraction() + " — fix the data or raise the limit");
            }
            LOG.warn("skipped {}", summary);
        }
        if (scan.valid == 0) throw new DataException("no valid rows in " + path + " (bad rows: " + scan.badCounts + ")");
        int numFeatures = numFeatures(spec, source, scan);
        int numClasses = spec.labelType() == LabelType.REAL ? 0
                : spec.numClasses() > 0 ? spec.numClasses()
                : Double.isFinite(scan.maxLabel) ? (int) scan.maxLabel + 1 : 0;
        Map<String, Long> bad = Collections.unmodifiableMap(new LinkedHashMap<>(scan.badCounts));
        return new Prepared(chunks, free, scan.plan, path, scan.valid, numFeatures, numClasses, bad, scan.nonZeros);
    }

    private static Source open(SparkSession spark, JavaSparkContext jsc, DataSpec spec, LabelRules labels,
                               boolean scoring, boolean rowGroups) {
        switch (spec.format()) {
            case LIBSVM:
                return new Source(spec.path(), TextSource.open(jsc, spec.path()),
                        new LibsvmParser(spec.numFeatures(), labels, scoring), true, -1, false);
            case CSV: {
                String[] first = InputPaths.firstLine(jsc.hadoopConfiguration(), spec.path());
                CsvLayout layout = CsvLayout.resolve(spec, first == null ? null : first[1],
                        first == null ? spec.path() : first[0], scoring);
                return new Source(spec.path(), TextSource.open(jsc, spec.path()),
                        new CsvParser(layout, labels, scoring), true, layout.featureCount(), false);
            }
            case PARQUET:
                return ParquetSource.open(spark, spec, labels, scoring, rowGroups);
            default:
                throw new IllegalArgumentException("unknown format " + spec.format());
        }
    }

    private static int numFeatures(DataSpec spec, Source source, Scan scan) {
        if (spec.numFeatures() > 0) return spec.numFeatures();
        if (source.layoutFeatures() >= 0) return source.layoutFeatures();
        if (source.uniformWidth() && scan.minWidth != scan.maxWidth) {
            throw new DataException("feature arrays differ in length in " + spec.path() + ": " + scan.minWidth + " at "
                    + scan.minWidthAt + ", " + scan.maxWidth + " at " + scan.maxWidthAt
                    + "; fix the data, or set data.num-features so rows of other lengths become bad rows");
        }
        if (scan.maxWidth <= 0) {
            throw new DataException("cannot infer data.num-features from " + spec.path() + ": no row has a feature; set data.num-features");
        }
        return scan.maxWidth;
    }

    /** The first line of {@code e}'s innermost message (Spark's task failures carry whole stack traces). */
    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = String.valueOf(root.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static DataException readFailure(String path, RuntimeException e) {
        var inner = DataException.findIn(e);
        if (inner.isPresent()) return inner.get();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = String.valueOf(root.getMessage());
        if (m.contains("does not exist") || m.contains("PATH_NOT_FOUND")) {
            return new DataException("input path does not exist: " + path + " (" + m + ")", e);
        }
        return new DataException("failed to read " + path + ": " + root.getClass().getSimpleName() + ": " + m, e);
    }

    /** Validation-set size: ids 0..count-1 tested with {@link RowAssignment#inHoldout}. */
    static long holdoutCount(SparkSession spark, long count, long seed, double fraction) {
        if (count <= DRIVER_COUNT_LIMIT) {
            long n = 0;
            for (long id = 0; id < count; id++) if (RowAssignment.inHoldout(seed, id, fraction)) n++;
            return n;
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int slices = Math.max(1, jsc.defaultParallelism()) * 4;
        List<long[]> ranges = new ArrayList<>();
        for (int s = 0; s < slices; s++) ranges.add(new long[] {count * s / slices, count * (s + 1) / slices});
        return jsc.parallelize(ranges, slices).map(r -> {
            long n = 0;
            for (long id = r[0]; id < r[1]; id++) if (RowAssignment.inHoldout(seed, id, fraction)) n++;
            return n;
        }).reduce(Long::sum);
    }

    private static void requirePartitions(int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
    }
}
