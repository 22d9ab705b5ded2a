package org.descent.math.metrics;

import java.io.Serializable;
import org.descent.math.ShapeMismatchException;

/**
 * Mergeable regression metrics over pairs (prediction p, target y):
 *
 * <pre>
 *   RMSE = sqrt(SSE / n),   SSE = sum (p - y)^2
 *   MAE  = sum |p - y| / n
 *   R^2  = 1 - SSE / SST,   SST = sum (y - mean y)^2
 * </pre>
 *
 * SST is kept as count, mean and M2 of y (Welford, merged with the Chan et al. pairwise formula), which
 * is the numerically stable equivalent of {@code sum y^2 - (sum y)^2 / n}. Empty → NaN; R^2 with
 * constant targets (SST = 0) → NaN (undefined). {@link #merge} returns {@code this}.
 */
public final class RegressionMetrics implements Serializable {
    private static final long serialVersionUID = 1L;

    private long count;
    private double meanY;
    private double m2Y;
    private double sse;
    private double sae;

    public RegressionMetrics add(double predicted, double actual) {
        double e = predicted - actual;
        sse += e * e;
        sae += Math.abs(e);
        count++;
        double d = actual - meanY;
        meanY += d / count;
        m2Y += d * (actual - meanY);
        return this;
    }

    /** Adds {@code predicted.length} pairs (e.g. a block's flattened outputs and targets). */
    public RegressionMetrics addAll(double[] predicted, double[] actual) {
        if (predicted.length != actual.length) {
            throw ShapeMismatchException.of("RegressionMetrics.addAll", "predicted", predicted.length, 1,
                    "actual", actual.length, 1);
        }
        for (int i = 0; i < predicted.length; i++) {
            add(predicted[i], actual[i]);
        }
        return this;
    }

    public RegressionMetrics merge(RegressionMetrics other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            meanY = other.meanY;
            m2Y = other.m2Y;
        } else {
            long n = count + other.count;
            double d = other.meanY - meanY;
            meanY += d * ((double) other.count / n);
            m2Y += other.m2Y + d * d * ((double) count * other.count / n);
        }
        count += other.count;
        sse += other.sse;
        sae += other.sae;
        return this;
    }

    public long count() {
        return count;
    }

    public double sse() {
        return sse;
    }

    /** Total sum of squares of the targets about their mean. */
    public double sst() {
        return m2Y;
    }

    public double rmse() {
        return count == 0 ? Double.NaN : Math.sqrt(sse / count);
    }

    public double mae() {
        return count == 0 ? Double.NaN : sae / count;
    }

    public double mse() {
        return count == 0 ? Double.NaN : sse / count;
    }

    public double r2() {
        return count == 0 || m2Y == 0 ? Double.NaN : 1 - sse / m2Y;
    }
}
