package org.descent.math.optim;

import org.descent.math.nn.ParameterLayout;

/**
 * {@link MiniBatchUpdate#apply} for a summed gradient that is exactly {@code +0.0} outside a list of rows of the
 * first block ({@code W_1}, {@code d x k} column-major at offset 0) and the dense tail after it: a sparse step's
 * gradient. When the rule leaves zero-gradient entries as they are ({@link #applies}: plain SGD or Adagrad, no
 * regularisation, no clipping), only those rows and the tail are read and updated, so the update costs
 * O(touched rows x k + tail), not O(d k); the parameters and optimizer state get exactly the bits of the dense
 * update (elementwise rules; {@code +0.0 * (1/n) = +0.0}; {@link Optimizer#stepRows}). Momentum, RMSProp and Adam
 * move every weight each step, so they keep the dense update: no silent lazy updates.
 *
 * <pre>
 *   g     = gradSum * (1 / n)   on the rows and the tail ({@code grad} stays +0.0 elsewhere)
 *   loss  = lossSum * (1 / n)
 *   norm  = sqrt(sum of g_i^2)  over the rows and the tail (the dense update's dnrm2 up to rounding)
 *   w     = optimizer.stepRows(w, g, t, rows)
 * </pre>
 * Non-finite loss or norm: no step ({@link MiniBatchUpdate.Status#NON_FINITE_LOSS}); non-finite parameters after it
 * (the updated entries; every parameter on the first call): {@link MiniBatchUpdate.Status#NON_FINITE_PARAMS}.
 *
 * <p>Holds the scratch gradient (model length, +0.0 outside the last step's rows, so nothing is cleared in O(d k)).
 * Call order: construct once per engine, {@link #apply} per step with the same {@code params} array. Not thread-safe.
 */
public final class RowSparseUpdate {
    private final MiniBatchUpdate update;
    private final ParameterLayout layout;
    private final int d;
    private final int k;
    private final double[] grad;
    private int[] previous = new int[0];
    /** Rows of {@link #grad} that may be non-zero; -1: any entry may be (after a whole update). */
    private int previousCount;
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
        this.grad = new double[layout.size()];
    }

    /** Whether the row-sparse update gives the dense update's bits for this update and optimizer. */
    public static boolean applies(MiniBatchUpdate update, Optimizer optimizer) {
        return update.regularization().isNone() && update.clipping().isNone() && optimizer.zeroGradientKeepsEntries();
    }

    /**
     * Step {@code t} for a gradient sum that is +0.0 in {@code W_1} outside rows {@code rows[0..count)} (ascending,
     * distinct); see the class comment. Falls back to the dense {@link MiniBatchUpdate#apply} when {@code n == 0}.
     */
    public MiniBatchUpdate.Outcome apply(double[] params, double[] gradSum, double lossSum, long n, long t,
                                        Optimizer optimizer, int[] rows, int count) {
        if (!applies(update, optimizer)) throw new IllegalStateException("the row-sparse update does not apply to "
                + optimizer.name() + " with " + update);
        clearPrevious();
        if (n <= 0) { // 1/n is not finite: the dense update's NaN gradient, exactly
            previousCount = -1;
            return update.apply(params, gradSum, lossSum, n, t, optimizer, layout, grad);
        }
        double inv = 1.0 / n;
        int dk = d * k;
        for (int j = 0, col = 0; j < k; j++, col += d) { // column by column: ascending addresses, few cache misses
            for (int l = 0; l < count; l++) grad[rows[l] + col] = gradSum[rows[l] + col] * inv;
        }
        for (int i = dk; i < grad.length; i++) grad[i] = gradSum[i] * inv;
        remember(rows, count);
        double loss = lossSum * inv + 0.0; // the dense update adds the (zero) penalty: the same bits
        double norm = norm(rows, count);
        double lr = optimizer.learningRate(t);
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            return new MiniBatchUpdate.Outcome(loss, norm, lr, MiniBatchUpdate.Status.NON_FINITE_LOSS);
        }
        boolean rowsOnly = optimizer.stepRows(params, grad, t, d, k, rows, count);
        boolean finite = rowsOnly && checkedAll ? finite(params, rows, count) : finiteAll(params);
        checkedAll = true;
        return new MiniBatchUpdate.Outcome(loss, norm, lr,
                finite ? MiniBatchUpdate.Status.OK : MiniBatchUpdate.Status.NON_FINITE_PARAMS);
    }

    private void clearPrevious() {
        if (previousCount < 0) {
            java.util.Arrays.fill(grad, 0.0);
        } else {
            for (int j = 0, col = 0; j < k; j++, col += d) {
                for (int l = 0; l < previousCount; l++) grad[previous[l] + col] = 0.0;
            }
        }
        previousCount = 0;
    }

    private void remember(int[] rows, int count) {
        if (previous.length < count) previous = new int[Math.max(count, previous.length * 2)];
        System.arraycopy(rows, 0, previous, 0, count);
        previousCount = count;
    }

    /**
     * L2 norm of the rows and the tail: the plain sum of squares when it neither overflows nor underflows, else
     * scaled by the largest magnitude (as dnrm2). NaN when an entry is NaN (the dense check's answer).
     */
    private double norm(int[] rows, int count) {
        double ss = 0;
        double max = 0;
        for (int j = 0, col = 0; j < k; j++, col += d) {
            for (int l = 0; l < count; l++) {
                double g = grad[rows[l] + col];
                ss += g * g;
                max = Math.max(max, Math.abs(g));
            }
        }
        for (int i = d * k; i < grad.length; i++) {
            ss += grad[i] * grad[i];
            max = Math.max(max, Math.abs(grad[i]));
        }
        if (Double.isNaN(ss) || Double.isNaN(max)) return Double.NaN;
        if (max == 0 || (ss > 1e-280 && ss < Double.POSITIVE_INFINITY)) return Math.sqrt(ss);
        if (max == Double.POSITIVE_INFINITY) return max;
        double scaled = 0;
        for (int j = 0, col = 0; j < k; j++, col += d) {
            for (int l = 0; l < count; l++) scaled += (grad[rows[l] + col] / max) * (grad[rows[l] + col] / max);
        }
        for (int i = d * k; i < grad.length; i++) scaled += (grad[i] / max) * (grad[i] / max);
        return max * Math.sqrt(scaled);
    }

    private boolean finite(double[] params, int[] rows, int count) {
        for (int j = 0, col = 0; j < k; j++, col += d) {
            for (int l = 0; l < count; l++) {
                if (!Double.isFinite(params[rows[l] + col])) return false;
            }
        }
        for (int i = d * k; i < params.length; i++) {
            if (!Double.isFinite(params[i])) return false;
        }
        return true;
    }

    private static boolean finiteAll(double[] params) {
        for (double v : params) {
            if (!Double.isFinite(v)) return false;
        }
        return true;
    }
}
