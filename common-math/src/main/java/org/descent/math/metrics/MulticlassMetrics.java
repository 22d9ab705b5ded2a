package org.descent.math.metrics;

import java.io.Serializable;
import org.descent.math.ShapeMismatchException;

/**
 * Mergeable confusion matrix for {@code k} classes, {@code C[actual][predicted]} (counts), and what
 * follows from it:
 *
 * <pre>
 *   accuracy      = sum_c C[c][c] / N
 *   precision(c)  = C[c][c] / sum_a C[a][c]      (of the rows predicted as c)
 *   recall(c)     = C[c][c] / sum_p C[c][p]      (of the rows actually c)
 *   f1(c)         = 2 P R / (P + R)
 * </pre>
 *
 * An undefined ratio (0/0, e.g. precision of a class never predicted) is NaN; macro averages skip
 * NaN classes (NaN if all are). Callers writing JSON should map NaN to null. {@link #merge} returns
 * {@code this}.
 */
public final class MulticlassMetrics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int numClasses;
    private final long[] counts; // row-major [actual * k + predicted]

    public MulticlassMetrics(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.counts = new long[numClasses * numClasses];
    }

    public MulticlassMetrics add(int actual, int predicted) {
        checkClass("actual", actual);
        checkClass("predicted", predicted);
        counts[actual * numClasses + predicted]++;
        return this;
    }

    /** Adds {@code actual.length} pairs. */
    public MulticlassMetrics addAll(int[] actual, int[] predicted) {
        if (actual.length != predicted.length) {
            throw ShapeMismatchException.of("MulticlassMetrics.addAll", "actual", actual.length, 1,
                    "predicted", predicted.length, 1);
        }
        for (int i = 0; i < actual.length; i++) {
            add(actual[i], predicted[i]);
        }
        return this;
    }

    public MulticlassMetrics merge(MulticlassMetrics other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot merge metrics for " + other.numClasses + " classes into "
                    + numClasses + " classes");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        return this;
    }

    private void checkClass(String what, int c) {
        if (c < 0 || c >= numClasses) {
            throw new IllegalArgumentException(what + " class " + c + " outside [0, " + numClasses + ")");
        }
    }

    public int numClasses() {
        return numClasses;
    }

    public long count() {
        long n = 0;
        for (long c : counts) n += c;
        return n;
    }

    /** Copy, {@code [actual][predicted]}. */
    public long[][] confusionMatrix() {
        long[][] m = new long[numClasses][numClasses];
        for (int a = 0; a < numClasses; a++) {
            System.arraycopy(counts, a * numClasses, m[a], 0, numClasses);
        }
        return m;
    }

    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < numClasses; c++) correct += counts[c * numClasses + c];
        return ratio(correct, count());
    }

    public double precision(int c) {
        checkClass("class", c);
        long predicted = 0;
        for (int a = 0; a < numClasses; a++) predicted += counts[a * numClasses + c];
        return ratio(counts[c * numClasses + c], predicted);
    }

    public double recall(int c) {
        checkClass("class", c);
        long actual = 0;
        for (int p = 0; p < numClasses; p++) actual += counts[c * numClasses + p];
        return ratio(counts[c * numClasses + c], actual);
    }

    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        if (Double.isNaN(p) || Double.isNaN(r)) return Double.NaN;
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double macroPrecision() {
        double s = 0;
        int n = 0;
        for (int c = 0; c < numClasses; c++) {
            double v = precision(c);
            if (!Double.isNaN(v)) { s += v; n++; }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    public double macroRecall() {
        double s = 0;
        int n = 0;
        for (int c = 0; c < numClasses; c++) {
            double v = recall(c);
            if (!Double.isNaN(v)) { s += v; n++; }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    static double ratio(long num, long den) {
        return den == 0 ? Double.NaN : (double) num / den;
    }
}
