package org.descent.math.nn;

import org.descent.math.Matrix;

/**
 * The labels of a mini-batch, one per row of the input matrix. Either a value per row
 * ({@link #ofValues}: a class index 0..k-1 for {@link LossKind#SOFTMAX_CE}, 0/1 for
 * {@link LossKind#BCE_LOGITS}, a real value for single-output {@link LossKind#MSE}) or a dense
 * {@code n x k} matrix ({@link #ofMatrix}: one-hot rows, or multi-output regression targets).
 *
 * <p>As with {@link Matrix}, the value array may be longer than {@code n}; only the first {@code n}
 * entries are used.
 */
public final class Targets {
    private final int n;
    private final double[] values;
    private final Matrix matrix;

    private Targets(int n, double[] values, Matrix matrix) {
        this.n = n;
        this.values = values;
        this.matrix = matrix;
    }

    public static Targets ofValues(int n, double[] values) {
        if (values.length < n) {
            throw new IllegalArgumentException("targets: n=" + n + " but only " + values.length + " values");
        }
        return new Targets(n, values, null);
    }

    public static Targets ofMatrix(Matrix m) {
        return new Targets(m.rows(), null, m);
    }

    public int size() { return n; }

    public boolean isMatrix() { return matrix != null; }

    /** Per-row values (class index or real value); null when {@link #isMatrix()}. */
    public double[] values() { return values; }

    /** One-hot or multi-output matrix; null unless {@link #isMatrix()}. */
    public Matrix matrix() { return matrix; }
}
