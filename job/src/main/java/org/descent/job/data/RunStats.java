package org.descent.job.data;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the validation pass saw in one run of records (see {@link InputRecord}): record count (every line,
 * blank and header included), valid rows, bad rows by reason, the first bad row, the largest label
 * and the narrowest/widest row. Positions are 0-based within the run.
 */
final class RunStats implements Serializable {
    private static final long serialVersionUID = 1L;

    final String file;
    final long runStart;
    long records;
    long valid;
    /** Non-zero feature values of the valid rows (for {@link Representation#resolve}). */
    long nonZeros;
    final Map<String, Long> bad = new LinkedHashMap<>();
    long firstBadLocal = -1;
    BadRowReason firstBadReason;
    String firstBadDetail;
    double maxLabel = Double.NEGATIVE_INFINITY;
    int minWidth = Integer.MAX_VALUE;
    long minWidthLocal = -1;
    int maxWidth = -1;
    long maxWidthLocal = -1;

    RunStats(String file, long runStart) {
        this.file = file;
        this.runStart = runStart;
    }

    boolean sameRun(InputRecord r) {
        return r.runStart() == runStart && r.file().equals(file);
    }

    void valid(ParsedRow row, long local) {
        valid++;
        nonZeros += row.nonZeros();
        if (row.label > maxLabel) maxLabel = row.label;
        int w = row.width();
        if (w < minWidth) {
            minWidth = w;
            minWidthLocal = local;
        }
        if (w > maxWidth) {
            maxWidth = w;
            maxWidthLocal = local;
        }
    }

    void bad(BadRow b, long local) {
        bad.merge(b.reason.key(), 1L, Long::sum);
        if (firstBadLocal < 0) {
            firstBadLocal = local;
            firstBadReason = b.reason;
            firstBadDetail = b.detail();
        }
    }

    long badTotal() {
        long n = 0;
        for (long v : bad.values()) n += v;
        return n;
    }
}
