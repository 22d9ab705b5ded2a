package org.descent.math.metrics;

import java.io.Serializable;

/**
 * Mergeable weighted mean of per-example losses: {@code mean = sum / count}. Feed either single
 * losses ({@link #add(double)}) or a block's loss sum with its example count
 * ({@link #addSum(double, long)}), so a partition never needs per-row calls. {@link #merge} returns
 * {@code this} (Spark combOp). The mean of nothing is undefined: {@link #mean()} returns NaN then.
 */
public final class LossMean implements Serializable {
    private static final long serialVersionUID = 1L;

    private double sum;
    private long count;

    public LossMean add(double loss) {
        return addSum(loss, 1);
    }

    /** Adds {@code lossSum}, the total loss over {@code examples} examples. */
    public LossMean addSum(double lossSum, long examples) {
        if (examples < 0) {
            throw new IllegalArgumentException("example count must be >= 0, got " + examples);
        }
        sum += lossSum;
        count += examples;
        return this;
    }

    public LossMean merge(LossMean other) {
        sum += other.sum;
        count += other.count;
        return this;
    }

    public double sum() {
        return sum;
    }

    public long count() {
        return count;
    }

    /** {@code sum / count}; NaN when empty. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    @Override
    public String toString() {
        return "LossMean[mean=" + mean() + ", count=" + count + "]";
    }
}
