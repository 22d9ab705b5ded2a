package org.descent.math.metrics;

import java.io.Serializable;
import java.util.Arrays;
import org.descent.math.ShapeMismatchException;

/**
 * Mergeable binary-classification metrics over pairs (predicted probability p in [0, 1], label y in
 * {0, 1}):
 *
 * <pre>
 *   log-loss = -(1/N) sum [ y log p + (1 - y) log(1 - p) ],  p clamped to [1e-15, 1 - 1e-15]
 *   accuracy = fraction with (p &gt;= 0.5) == (y == 1)
 *   AUC      = P(score of a random positive &gt; score of a random negative), ties count 1/2
 * </pre>
 *
 * <p><b>AUC from a histogram.</b> For Spark the scores go into {@code bins} equal-width bins over
 * [0, 1] (bin {@code floor(p * bins)}, p = 1 in the last), separately for positives ({@code pos_b}) and
 * negatives ({@code neg_b}); then
 *
 * <pre>  AUC_hist = sum_b pos_b * (negBelow_b + neg_b / 2) / (P * N)  </pre>
 *
 * Pairs in different bins are ordered exactly; a pair sharing a bin is counted 1/2 where the exact
 * value is 0, 1/2 or 1. Hence the guaranteed, data-dependent bound
 *
 * <pre>  |AUC_hist - AUC_exact| &lt;= (1/2) sum_b pos_b * neg_b / (P * N)  =  {@link #aucErrorBound()}  </pre>
 *
 * which is 0 when no positive shares a bin with a negative and at most 1/2 in the degenerate case of
 * all scores in one bin; for scores spread over [0, 1] with the default 10 000 bins it is typically
 * ~1e-4 or less. {@link #exactAuc(double[], int[])} computes the exact value by sorting (driver side,
 * tests). Undefined values (no examples, or no positives or no negatives for AUC) are NaN.
 * {@link #merge} returns {@code this}.
 */
public final class BinaryMetrics implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Default number of histogram bins. */
    public static final int DEFAULT_BINS = 10_000;
    /** Probability clamp for log-loss. */
    public static final double LOG_LOSS_EPS = 1e-15;

    private final int bins;
    private final long[] pos;
    private final long[] neg;
    private long correct;
    private double logLossSum;

    public BinaryMetrics() {
        this(DEFAULT_BINS);
    }

    public BinaryMetrics(int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
        this.bins = bins;
        this.pos = new long[bins];
        this.neg = new long[bins];
    }

    /** @param probability predicted P(y = 1), in [0, 1]; @param label 0 or 1 */
    public BinaryMetrics add(double probability, int label) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("predicted probability must be in [0, 1], got " + probability);
        }
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("binary label must be 0 or 1, got " + label);
        }
        int b = Math.min((int) (probability * bins), bins - 1);
        double p = Math.min(Math.max(probability, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
        if (label == 1) {
            pos[b]++;
            logLossSum -= Math.log(p);
            if (probability >= 0.5) correct++;
        } else {
            neg[b]++;
            logLossSum -= Math.log1p(-p);
            if (probability < 0.5) correct++;
        }
        return this;
    }

    public BinaryMetrics addAll(double[] probabilities, int[] labels) {
        if (probabilities.length != labels.length) {
            throw ShapeMismatchException.of("BinaryMetrics.addAll", "probabilities", probabilities.length, 1,
                    "labels", labels.length, 1);
        }
        for (int i = 0; i < labels.length; i++) {
            add(probabilities[i], labels[i]);
        }
        return this;
    }

    public BinaryMetrics merge(BinaryMetrics other) {
        if (other.bins != bins) {
            throw new IllegalArgumentException("cannot merge a " + other.bins + "-bin histogram into a " + bins
                    + "-bin one");
        }
        for (int b = 0; b < bins; b++) {
            pos[b] += other.pos[b];
            neg[b] += other.neg[b];
        }
        correct += other.correct;
        logLossSum += other.logLossSum;
        return this;
    }

    public int bins() {
        return bins;
    }

    public long positives() {
        return Arrays.stream(pos).sum();
    }

    public long negatives() {
        return Arrays.stream(neg).sum();
    }

    public long count() {
        return positives() + negatives();
    }

    public double logLoss() {
        long n = count();
        return n == 0 ? Double.NaN : logLossSum / n;
    }

    public double accuracy() {
        return MulticlassMetrics.ratio(correct, count());
    }

    /** Histogram AUC; within {@link #aucErrorBound()} of the exact AUC. NaN without both classes. */
    public double auc() {
        double p = positives();
        double n = negatives();
        if (p == 0 || n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        double negBelow = 0;
        for (int b = 0; b < bins; b++) {
            sum += pos[b] * (negBelow + 0.5 * neg[b]);
            negBelow += neg[b];
        }
        return sum / (p * n);
    }

    /** {@code (1/2) sum_b pos_b neg_b / (P N)}: the largest possible |auc() - exact AUC| for this data. */
    public double aucErrorBound() {
        double p = positives();
        double n = negatives();
        if (p == 0 || n == 0) {
            return Double.NaN;
        }
        double same = 0;
        for (int b = 0; b < bins; b++) {
            same += (double) pos[b] * neg[b];
        }
        return 0.5 * same / (p * n);
    }

    /**
     * Exact AUC (Mann-Whitney U / (P N), ties counted 1/2) by sorting positives and negatives
     * separately and sweeping: O(n log n), allocates copies. NaN without both classes.
     */
    public static double exactAuc(double[] scores, int[] labels) {
        if (scores.length != labels.length) {
            throw ShapeMismatchException.of("BinaryMetrics.exactAuc", "scores", scores.length, 1,
                    "labels", labels.length, 1);
        }
        int np = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("binary label must be 0 or 1, got " + labels[i] + " at " + i);
            }
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            np += labels[i];
        }
        int nn = labels.length - np;
        if (np == 0 || nn == 0) {
            return Double.NaN;
        }
        double[] p = new double[np];
        double[] n = new double[nn];
        for (int i = 0, a = 0, b = 0; i < labels.length; i++) {
            if (labels[i] == 1) p[a++] = scores[i]; else n[b++] = scores[i];
        }
        Arrays.sort(p);
        Arrays.sort(n);
        double sum = 0;
        int below = 0; // negatives with score < current positive score
        int upTo = 0;  // negatives with score <= current positive score
        for (double s : p) {
            while (below < nn && n[below] < s) below++;
            if (upTo < below) upTo = below;
            while (upTo < nn && n[upTo] <= s) upTo++;
            sum += below + 0.5 * (upTo - below);
        }
        return sum / ((double) np * nn);
    }
}
