package org.descent.math.optim;

import org.descent.math.nn.ParameterLayout;

/**
 * {@link MiniBatchUpdate#apply} for a summed gradient that is exactly {@code +0.0} outside a list of rows of the
 * first block ({@code W_1}, {@code d x k} column-major at offset 0) and the dense tail after it: a sparse step's
 * gradient. When the rule leaves zero-gradient entries as they are ({@link #applies}: plain SGD or Adagrad, no
 * regularisation, no clipping), only those rows and the tail are read and updated, so the update costs
 * O(touched rows x k + tail), not O(d k); the parameters and optimizer state get exactly the bits of the dense
 * update (elementwise rules; {@code +0.0 * (1/n) = +0.0}; {@link Optimizer#stepRowValues}). Momentum, RMSProp and Adam
 * move every weight each step, so they keep the dense update: no silent lazy updates.
 *
 * <pre>
 *   g     = gradSum * (1 / n)   on the rows and the tail, packed row by row (contiguous)
 *   loss  = lossSum * (1 / n)
 *   norm  = sqrt(sum of g_i^2)  over the packed values (the dense update's dnrm2 up to rounding)
 *   w     = optimizer.stepRowValues(w, g, t, rows)   (one pass over the touched entries of w and its state)
 * </pre>
 * Non-finite loss or norm: no step ({@link MiniBatchUpdate.Status#NON_FINITE_LOSS}); non-finite parameters after it
 * (the updated entries; every parameter on the first call): {@link MiniBatchUpdate.Status#NON_FINITE_PARAMS}.
 *
 * <p>Holds the packed values (rows x k + tail); nothing of length d k except the rare dense fallback's scratch.
 * Call order: construct once per engine, {@link #apply} per step with the same {@code params} array. Not thread-safe.
 */
public final class RowSparseUpdate {
    private final MiniBatchUpdate update;
    private final ParameterLayout layout;
    private final int d;
    private final int k;
    /** Scratch of the dense fallback (a rate the row step cannot take): allocated on first use. */
    private double[] grad;
    private double[] whole;
    /** The scaled row values and tail (grown as needed; contiguous, so the norm streams). */
    private double[] scaled = new double[0];
    private boolean checkedAll;

    /** @param d the first block's rows (features) and {@code k} its columns */
    public RowSparseUpdate(MiniBatchUpdate update, ParameterLayout layout, int d, int k) {
        if ((long) d * k > layout.size()) {
            throw new IllegalArgumentException("a first block of " + d + " x " + k + " in " + layout.size() + " parameters");
        }
        this.update = update;
        this.layout = layout;
        this.d = d;
        this.k = k;
    }

    /** Whether the row-sparse update gives the dense update's bits for this update and optimizer. */
    public static boolean applies(MiniBatchUpdate update, Optimizer optimizer) {
        return update.regularization().isNone() && update.clipping().isNone() && optimizer.zeroGradientKeepsEntries();
    }

    /**
     * Step {@code t} for a gradient sum that is +0.0 in {@code W_1} outside rows {@code rows[0..count)} (ascending,
     * distinct), given as the whole sum vector; see the class comment.
     */
    public MiniBatchUpdate.Outcome apply(double[] params, double[] gradSum, double lossSum, long n, long t,
                                        Optimizer optimizer, int[] rows, int count) {
        int dk = d * k;
        int tail = gradSum.length - dk;
        double[] v = values(count * k + tail);
        for (int j = 0, col = 0; j < k; j++, col += d) { // column by column: ascending addresses in gradSum
            for (int l = 0, at = j; l < count; l++, at += k) v[at] = gradSum[rows[l] + col];
        }
        System.arraycopy(gradSum, dk, v, count * k, tail);
        return applyValues(params, v, lossSum, n, t, optimizer, rows, count);
    }

    /**
     * As {@link #apply} for the sum given as its rows' values: row {@code l}'s entry {@code j} at {@code sums[l k + j]},
     * the tail's from {@code count k} on (what the sparse allreduce sums). {@code sums} is not changed.
     */
    public MiniBatchUpdate.Outcome applyValues(double[] params, double[] sums, double lossSum, long n, long t,
                                              Optimizer optimizer, int[] rows, int count) {
        requireApplies(optimizer);
        if (!rowStep(n, t, optimizer)) return wholeUpdate(params, sums, lossSum, n, t, optimizer, rows, count);
        MiniBatchUpdate.Outcome o = applyValues(params, sums, lossSum, n, t, optimizer, rows, count, 0, count, true);
        if (o.status() == MiniBatchUpdate.Status.NON_FINITE_LOSS) return o;
        boolean finite = o.status() == MiniBatchUpdate.Status.OK;
        if (!checkedAll && finite) finite = finiteRange(params, 0, params.length);
        checkedAll = true;
        return finite ? o : new MiniBatchUpdate.Outcome(o.loss(), o.gradNorm(), o.learningRate(),
                MiniBatchUpdate.Status.NON_FINITE_PARAMS);
    }

    /**
     * Whether step {@code t} of {@code n} rows takes the row step ({@link #applyValues} with a row range); else only
     * the whole {@link #applyValues} can take it (the dense update: {@code 1/n} not finite, or a rate the row step
     * cannot take, {@link Optimizer#rowStepApplies}).
     */
    public static boolean rowStep(long n, long t, Optimizer optimizer) {
        return n > 0 && optimizer.rowStepApplies(t);
    }

    /**
     * One part of {@link #applyValues(double[], double[], double, long, long, Optimizer, int[], int)}'s row step:
     * the loss and norm of the whole sum (so every part takes the same {@link MiniBatchUpdate.Status#NON_FINITE_LOSS}
     * decision), then the update of rows {@code rows[from..to)} and, when {@code tail}, the tail only
     * ({@link Optimizer#stepRowValues(double[], double[], long, int, int, int[], int, int, int, boolean)}). The
     * status covers the entries this part updated: the caller covers the others (issue 12: the in-JVM ranks of a
     * sparse allreduce split one step over one shared parameter array). Needs {@link #rowStep}.
     */
    public MiniBatchUpdate.Outcome applyValues(double[] params, double[] sums, double lossSum, long n, long t,
                                              Optimizer optimizer, int[] rows, int count, int from, int to,
                                              boolean tail) {
        requireApplies(optimizer);
        if (!rowStep(n, t, optimizer)) {
            throw new IllegalStateException("the row step does not take step " + t + " of " + n + " rows with "
                    + optimizer.name() + " (see rowStep)");
        }
        int len = count * k + (layout.size() - d * k);
        double[] g = values(len);
        double norm = scaledNorm(sums, 1.0 / n, g, len);
        return applyScaled(params, g, norm, lossSum, n, t, optimizer, rows, count, from, to, tail);
    }

    /**
     * {@link #applyValues(double[], double[], double, long, long, Optimizer, int[], int, int, int, boolean)} for
     * values the caller has already scaled, {@code g[i] = sums[i] * (1.0 / n)} for {@code i < count k + tail}, with
     * {@code norm} = {@link #norm} of them (issue 12: the in-JVM ranks of a sparse allreduce form the scaled sum and
     * its squares in the one pass that adds the partitions' rows, instead of a pass of their own). The same bits as
     * {@code applyValues} on the unscaled sums when {@code g} and {@code norm} are formed as its scaling does:
     * {@code x = sum * (1.0 / n)}, then {@code ss += x * x} and {@code max = Math.max(max, Math.abs(x))} in index
     * order from 0. {@code g} is not changed. Needs {@link #rowStep}.
     */
    public MiniBatchUpdate.Outcome applyScaled(double[] params, double[] g, double norm, double lossSum, long n,
                                              long t, Optimizer optimizer, int[] rows, int count, int from, int to,
                                              boolean tail) {
        requireApplies(optimizer);
        if (!rowStep(n, t, optimizer)) {
            throw new IllegalStateException("the row step does not take step " + t + " of " + n + " rows with "
                    + optimizer.name() + " (see rowStep)");
        }
        double loss = lossSum * (1.0 / n) + 0.0; // the dense update adds the (zero) penalty: the same bits
        double lr = optimizer.learningRate(t);
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            return new MiniBatchUpdate.Outcome(loss, norm, lr, MiniBatchUpdate.Status.NON_FINITE_LOSS);
        }
        boolean finite = optimizer.stepRowValues(params, g, t, d, k, rows, count, from, to, tail);
        return new MiniBatchUpdate.Outcome(loss, norm, lr,
                finite ? MiniBatchUpdate.Status.OK : MiniBatchUpdate.Status.NON_FINITE_PARAMS);
    }

    private void requireApplies(Optimizer optimizer) {
        if (!applies(update, optimizer)) throw new IllegalStateException("the row-sparse update does not apply to "
                + optimizer.name() + " with " + update);
    }

    /** {@code 1/n} not finite or a rate the row step cannot take: the dense update on the whole (scattered) sum. */
    private MiniBatchUpdate.Outcome wholeUpdate(double[] params, double[] sums, double lossSum, long n, long t,
                                                Optimizer optimizer, int[] rows, int count) {
        if (whole == null) {
            whole = new double[layout.size()];
            grad = new double[layout.size()];
        }
        java.util.Arrays.fill(whole, 0.0);
        for (int l = 0; l < count; l++) {
            for (int j = 0; j < k; j++) whole[rows[l] + j * d] = sums[l * k + j];
        }
        System.arraycopy(sums, count * k, whole, d * k, layout.size() - d * k);
        checkedAll = true;
        return update.apply(params, whole, lossSum, n, t, optimizer, layout, grad);
    }

    /** The scratch for the scaled values, at least {@code len} long. */
    private double[] values(int len) {
        if (scaled.length < len) scaled = new double[Math.max(len, scaled.length + scaled.length / 2)];
        return scaled;
    }

    /**
     * {@code g[i] = sums[i] * inv} for {@code i < len} ({@code g} may be {@code sums}) and the L2 norm of the result:
     * the plain sum of squares when it neither overflows nor underflows, else scaled by the largest magnitude (as
     * dnrm2); NaN when an entry is NaN (the dense check's answer). Scaling and summing in one pass (issue 12: each
     * pass is a loop that runs cold in the first steps) does the same operations in the same order: the same bits.
     */
    private static double scaledNorm(double[] sums, double inv, double[] g, int len) {
        double ss = 0;
        double max = 0;
        for (int i = 0; i < len; i++) {
            double x = sums[i] * inv;
            g[i] = x;
            ss += x * x;
            max = Math.max(max, Math.abs(x));
        }
        return norm(g, len, ss, max);
    }

    /**
     * The L2 norm of {@code g[0, len)} from its plain sum of squares {@code ss} and its largest magnitude {@code max}
     * (both formed in index order from 0, as {@link #scaledNorm} does): {@code sqrt(ss)} when that neither overflowed
     * nor underflowed, else rescaled by {@code max} (as dnrm2); NaN when either is NaN.
     */
    public static double norm(double[] g, int len, double ss, double max) {
        if (Double.isNaN(ss) || Double.isNaN(max)) return Double.NaN;
        if (max == 0 || (ss > 1e-280 && ss < Double.POSITIVE_INFINITY)) return Math.sqrt(ss);
        if (max == Double.POSITIVE_INFINITY) return max;
        double scaled = 0;
        for (int i = 0; i < len; i++) scaled += (g[i] / max) * (g[i] / max);
        return max * Math.sqrt(scaled);
    }

    /** Whether every entry of {@code params[from, to)} is finite. */
    public static boolean finiteRange(double[] params, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Double.isFinite(params[i])) return false;
        }
        return true;
    }
}
