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
        if (!applies(update, optimizer)) throw new IllegalStateException("the row-sparse update does not apply to "
                + optimizer.name() + " with " + update);
        int len = count * k + (layout.size() - d * k);
        if (n <= 0 || !optimizer.rowStepApplies(t)) return wholeUpdate(params, sums, lossSum, n, t, optimizer, rows, count);
        double inv = 1.0 / n;
        double[] g = values(len);
        if (g != sums) {
            for (int i = 0; i < len; i++) g[i] = sums[i] * inv;
        } else {
            for (int i = 0; i < len; i++) g[i] *= inv;
        }
        double loss = lossSum * inv + 0.0; // the dense update adds the (zero) penalty: the same bits
        double norm = norm(g, len);
        double lr = optimizer.learningRate(t);
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            return new MiniBatchUpdate.Outcome(loss, norm, lr, MiniBatchUpdate.Status.NON_FINITE_LOSS);
        }
        boolean finite = optimizer.stepRowValues(params, g, t, d, k, rows, count);
        if (!checkedAll) finite &= finiteAll(params);
        checkedAll = true;
        return new MiniBatchUpdate.Outcome(loss, norm, lr,
                finite ? MiniBatchUpdate.Status.OK : MiniBatchUpdate.Status.NON_FINITE_PARAMS);
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
     * L2 norm of {@code g[0, len)}: the plain sum of squares when it neither overflows nor underflows, else scaled
     * by the largest magnitude (as dnrm2). NaN when an entry is NaN (the dense check's answer).
     */
    private static double norm(double[] g, int len) {
        double ss = 0;
        double max = 0;
        for (int i = 0; i < len; i++) {
            ss += g[i] * g[i];
            max = Math.max(max, Math.abs(g[i]));
        }
        if (Double.isNaN(ss) || Double.isNaN(max)) return Double.NaN;
        if (max == 0 || (ss > 1e-280 && ss < Double.POSITIVE_INFINITY)) return Math.sqrt(ss);
        if (max == Double.POSITIVE_INFINITY) return max;
        double scaled = 0;
        for (int i = 0; i < len; i++) scaled += (g[i] / max) * (g[i] / max);
        return max * Math.sqrt(scaled);
    }

    private static boolean finiteAll(double[] params) {
        for (double v : params) {
            if (!Double.isFinite(v)) return false;
        }
        return true;
    }
}
