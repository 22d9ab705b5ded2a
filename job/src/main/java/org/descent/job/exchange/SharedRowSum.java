package org.descent.job.exchange;

import org.descent.math.optim.RowSparseUpdate;

/**
 * The sparse allreduce's sum for ranks that share one JVM and one parameter array ({@link SharedState}), read
 * straight from every partition's compact gradient ({@link CompactSparseStep}) instead of through two allreduces
 * (presence, then values) and their six waits: the sorted union {@code U} of all partitions' touched rows and the
 * packed vector {@code [U rows x k (row q's entry c at q k + c) | tail]} of {@link SparseSteps}' values allreduce,
 * scaled by {@code scale} in the same pass, with the sum of squares and the largest magnitude of the scaled values
 * (what {@link RowSparseUpdate#applyScaled} takes).
 *
 * <p>Why the same bits: the allreduce adds {@code 0.0 + p_0 + ... + p_{P-1}} per element in partition order, a
 * partition that does not touch a row contributing +0.0. Here every element starts at +0.0 and each partition that
 * touches it adds its value, in partition order; a skipped +0.0 changes nothing, because a sum that starts from +0.0
 * is never -0.0 ({@code x + 0.0 == x} for every other {@code x}). The union is the presence vector's: every
 * partition's touched rows, ascending. The scaling, squares and maximum are {@link RowSparseUpdate}'s
 * ({@code x = sum * scale; ss += x * x; max = Math.max(max, Math.abs(x))}) in the same index order from 0; with
 * {@code scale = 1.0} the values are the unscaled sums ({@code x * 1.0 == x}).
 *
 * <p>Work per call: one merge of the partitions' sorted row lists, {@code O(P |U| k + tail)} with every read and
 * write sequential (no {@code d}-sized table), no wait; two partitions take a two-way merge that writes each value
 * once (0.2 ms a step on the text benchmark against 0.3 ms for the general loop, thread CPU time); every rank forms
 * the whole sum (the update's norm needs all of it, and it costs less than a wait). Call order: {@link #sum} after a wait that follows every partition's step,
 * then {@link #rows}, {@link #values}, {@link #sumSquares}, {@link #max} until the next {@link #sum}. Not
 * thread-safe (one per rank).
 */
final class SharedRowSum {
    private final int k;
    private final int tail;
    private int[] rows = new int[16];
    private double[] values = new double[16];
    private CompactSparseStep[] parts = new CompactSparseStep[0];
    private int[] at = new int[0];
    private double sumSquares;
    private double max;

    /** @param k {@code W_1}'s columns, {@code tail} the parameters after it */
    SharedRowSum(int k, int tail) {
        this.k = k;
        this.tail = tail;
    }

    /**
     * The union of the partitions' touched rows and their summed gradient rows and tail, each value times
     * {@code scale}; returns the union's size. {@code slices[p]}: partition p's step (its gradient as
     * {@link CompactSparseStep#rows}, {@link CompactSparseStep#gradient}), null for a partition without rows.
     */
    int sum(CompactSparseStep[] slices, double scale) {
        int live = collect(slices);
        int bound = 0;
        for (int p = 0; p < live; p++) bound += parts[p].touched();
        if (rows.length < bound) rows = new int[Math.max(bound, rows.length + rows.length / 2)];
        int cells = bound * k + tail;
        if (values.length < cells) values = new double[Math.max(cells, values.length + values.length / 2)];
        if (live == 2) return sumTwo(parts[0], parts[1], scale);
        double[] v = values;
        double ss = 0;
        double mx = 0;
        int u = 0;
        for (int f = next(live); f >= 0; f = next(live), u++) {
            rows[u] = f;
            int base = u * k;
            for (int c = 0; c < k; c++) v[base + c] = 0.0;
            for (int p = 0; p < live; p++) { // partition order: the allreduce's order of additions
                CompactSparseStep s = parts[p];
                int l = at[p];
                if (l < s.touched() && s.rows()[l] == f) {
                    double[] g = s.gradient();
                    for (int c = 0, i = l; c < k; c++, i += s.cap()) v[base + c] += g[i];
                    at[p] = l + 1;
                }
            }
            for (int c = base; c < base + k; c++) {
                double x = v[c] * scale;
                v[c] = x;
                ss += x * x;
                mx = Math.max(mx, Math.abs(x));
            }
        }
        for (int i = 0, to = u * k; i < tail; i++) {
            double acc = 0.0;
            for (int p = 0; p < live; p++) acc += parts[p].gradient()[parts[p].cap() * k + i];
            double x = acc * scale;
            v[to + i] = x;
            ss += x * x;
            mx = Math.max(mx, Math.abs(x));
        }
        sumSquares = ss;
        max = mx;
        return u;
    }

    /**
     * {@link #sum} of two partitions (the common case: two task slots): a two-way merge that writes each value once,
     * {@code (0.0 + a) + b}, {@code 0.0 + a} or {@code 0.0 + b}, the same additions as the general loop.
     */
    private int sumTwo(CompactSparseStep a, CompactSparseStep b, double scale) {
        int[] ra = a.rows();
        int[] rb = b.rows();
        double[] ga = a.gradient();
        double[] gb = b.gradient();
        int ta = a.touched();
        int tb = b.touched();
        int ca = a.cap();
        int cb = b.cap();
        double[] v = values;
        double ss = 0;
        double mx = 0;
        int u = 0;
        for (int i = 0, j = 0; i < ta || j < tb; u++) {
            int fa = i < ta ? ra[i] : Integer.MAX_VALUE;
            int fb = j < tb ? rb[j] : Integer.MAX_VALUE;
            int base = u * k;
            if (fa < fb) {
                rows[u] = fa;
                for (int c = 0, at = i; c < k; c++, at += ca) v[base + c] = 0.0 + ga[at];
                i++;
            } else if (fb < fa) {
                rows[u] = fb;
                for (int c = 0, at = j; c < k; c++, at += cb) v[base + c] = 0.0 + gb[at];
                j++;
            } else {
                rows[u] = fa;
                for (int c = 0, x = i, y = j; c < k; c++, x += ca, y += cb) v[base + c] = (0.0 + ga[x]) + gb[y];
                i++;
                j++;
            }
            for (int c = base; c < base + k; c++) {
                double x = v[c] * scale;
                v[c] = x;
                ss += x * x;
                mx = Math.max(mx, Math.abs(x));
            }
        }
        for (int i = 0, to = u * k; i < tail; i++) {
            double x = ((0.0 + ga[ca * k + i]) + gb[cb * k + i]) * scale;
            v[to + i] = x;
            ss += x * x;
            mx = Math.max(mx, Math.abs(x));
        }
        sumSquares = ss;
        max = mx;
        return u;
    }

    /** The non-null slices, in partition order, into {@link #parts} with their cursors at 0; returns their count. */
    private int collect(CompactSparseStep[] slices) {
        if (parts.length < slices.length) {
            parts = new CompactSparseStep[slices.length];
            at = new int[slices.length];
        }
        int live = 0;
        for (CompactSparseStep s : slices) {
            if (s != null) {
                parts[live] = s;
                at[live++] = 0;
            }
        }
        return live;
    }

    /** The smallest row at the partitions' cursors, or -1 when every partition's rows are used up. */
    private int next(int live) {
        int f = Integer.MAX_VALUE;
        for (int p = 0; p < live; p++) {
            if (at[p] < parts[p].touched()) f = Math.min(f, parts[p].rows()[at[p]]);
        }
        return f == Integer.MAX_VALUE ? -1 : f;
    }

    /** The union's rows, ascending: {@code rows()[0..u)} of the last {@link #sum} (valid until the next). */
    int[] rows() {
        return rows;
    }

    /** The scaled sum of the last {@link #sum}: {@code values()[0, u k + tail)}. */
    double[] values() {
        return values;
    }

    /** Sum of the squares of the last {@link #sum}'s values, added in index order from 0. */
    double sumSquares() {
        return sumSquares;
    }

    /** Largest magnitude of the last {@link #sum}'s values (0 for none). */
    double max() {
        return max;
    }
}
