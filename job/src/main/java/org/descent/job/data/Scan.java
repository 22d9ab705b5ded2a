package org.descent.job.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validation pass and its result. Every record is parsed once; per run the task returns a
 * {@link RunStats}. On the driver the runs are sorted by (file path, run start), which gives
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

    static Scan run(Source source, boolean failFast) {
        RowParser parser = source.parser();
        List<RunStats> runs = source.records().mapPartitions((Iterator<InputRecord> it) -> {
            List<RunStats> out = new ArrayList<>();
            RunStats cur = null;
            while (it.hasNext()) {
                InputRecord rec = it.next();
                if (cur == null || !cur.sameRun(rec)) {
                    cur = new RunStats(rec.file(), rec.runStart());
                    out.add(cur);
                }
                long local = cur.records++;
                if (failFast && cur.firstBadLocal >= 0) continue;
                try {
                    ParsedRow row = parser.parse(rec.payload(), rec.runStart() == 0 && local == 0);
                    if (row != null) cur.valid(row, local);
                } catch (BadRow b) {
                    cur.bad(b, local);
                }
            }
            return out.iterator();
        }).collect();
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
