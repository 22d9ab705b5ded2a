package org.descent.job.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.spark.api.java.JavaRDD;

/**
 * The validation pass and its result. Every record is parsed once ({@link #parse}); per run the task keeps a
 * {@link ParsedChunk} with its {@link RunStats}. On the driver the runs are sorted by (file path, run start), which gives
 * <ul>
 *   <li>exact positions: a record's position in its file = records of the earlier runs of that file
 *       + its position in the run (so text errors carry the real line number);</li>
 *   <li>dense, stable row ids: id = number of valid rows before it in (file path, position) order,
 *       independent of how Spark split the input.</li>
 * </ul>
 * Under FAIL a run stops parsing after its first bad row (it still counts records); the reported row is
 * the first bad row in (file, position) order.
 */
final class Scan implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Per run (key {@link #key}): {valid-row id offset, valid-row count}. */
    final HashMap<String, long[]> plan = new HashMap<>();
    long valid;
    long nonZeros;
    long bad;
    final Map<String, Long> badCounts = new TreeMap<>();
    String firstBadMessage;
    double maxLabel = Double.NEGATIVE_INFINITY;
    int minWidth = Integer.MAX_VALUE;
    String minWidthAt;
    int maxWidth = -1;
    String maxWidthAt;

    static String key(String file, long runStart) {
        return runStart + "\u0000" + file;
    }

    /**
     * The one pass over the input: parses every record once, keeping each run's valid rows as a {@link ParsedChunk}
     * (with the run's {@link RunStats}). The result is lazy: persist it, then {@link #of} collects the statistics
     * and materialises the chunks in the same job; the blocks are packed from the chunks ({@link BlockPacker}), never
     * from the input again.
     */
    static JavaRDD<ParsedChunk> parse(Source source, boolean failFast) {
        if (source.rowGroups() != null) return source.rowGroups().parse(source.parser(), failFast);
        RowParser parser = source.parser();
        return source.records().mapPartitions((Iterator<InputRecord> it) -> chunks(it, parser, failFast).iterator());
    }

    /**
     * Parses {@code records} in order into one {@link ParsedChunk} per run (consecutive records of one file): the body
     * of {@link #parse}'s tasks, and of {@link ParquetRowGroups}' per row group (on a task or ahead, on the driver).
     * Each parsed row is consumed (its values copied into the chunk) before the next record is read: the row-group
     * reader hands out one values array again ({@link ParquetRowGroupReader}).
     */
    static List<ParsedChunk> chunks(Iterator<InputRecord> it, RowParser parser, boolean failFast) {
        List<ParsedChunk> out = new ArrayList<>();
        ParsedChunk cur = null;
        while (it.hasNext()) {
            InputRecord rec = it.next();
            if (cur == null || !cur.stats.sameRun(rec)) {
                cur = new ParsedChunk(new RunStats(rec.file(), rec.runStart()));
                out.add(cur);
            }
            RunStats run = cur.stats;
            long local = run.records++;
            if (failFast && run.firstBadLocal >= 0) continue;
            try {
                ParsedRow row = parser.parse(rec.payload(), rec.runStart() == 0 && local == 0);
                if (row != null) {
                    run.valid(row, local);
                    cur.add(row);
                }
            } catch (BadRow b) {
                run.bad(b, local);
            }
        }
        return out;
    }

    /** The validation result of the parsed {@code chunks} (one job: it parses and, if persisted, caches them). */
    static Scan of(Source source, JavaRDD<ParsedChunk> chunks) {
        return summarize(source, chunks.map(c -> c.stats).collect());
    }

    /** The validation result of {@code chunks} parsed on the driver (the same summary {@link #of} makes of a job's). */
    static Scan of(Source source, List<ParsedChunk> chunks) {
        List<RunStats> runs = new ArrayList<>(chunks.size());
        for (ParsedChunk c : chunks) runs.add(c.stats);
        return summarize(source, runs);
    }

    private static Scan summarize(Source source, List<RunStats> runs) {
        List<RunStats> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparing((RunStats r) -> r.file).thenComparingLong(r -> r.runStart));
        Scan s = new Scan();
        String file = null;
        long before = 0;
        for (RunStats r : sorted) {
            if (!r.file.equals(file)) {
                file = r.file;
                before = 0;
            }
            if (s.plan.put(key(r.file, r.runStart), new long[] {s.valid, r.valid}) != null) {
                throw new IllegalStateException("duplicate run " + r.file + "@" + r.runStart);
            }
            s.valid += r.valid;
            s.nonZeros += r.nonZeros;
            s.bad += r.badTotal();
            r.bad.forEach((k, v) -> s.badCounts.merge(k, v, Long::sum));
            if (r.firstBadLocal >= 0 && s.firstBadMessage == null) {
                s.firstBadMessage = r.firstBadDetail + " at " + source.locate(r.file, before + r.firstBadLocal)
                        + " (" + r.firstBadReason.fix() + ")";
            }
            if (r.valid > 0) {
                s.maxLabel = Math.max(s.maxLabel, r.maxLabel);
                if (r.minWidth < s.minWidth) {
                    s.minWidth = r.minWidth;
                    s.minWidthAt = source.locate(r.file, before + r.minWidthLocal);
                }
                if (r.maxWidth > s.maxWidth) {
                    s.maxWidth = r.maxWidth;
                    s.maxWidthAt = source.locate(r.file, before + r.maxWidthLocal);
                }
            }
            before += r.records;
        }
        return s;
    }
}
