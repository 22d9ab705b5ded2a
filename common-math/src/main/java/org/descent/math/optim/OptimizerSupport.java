package org.descent.math.optim;

import org.descent.math.ShapeMismatchException;

/** Argument checks shared by the optimizers (package-private helpers, not a base class). */
final class OptimizerSupport {
    private OptimizerSupport() {}

    static LearningRateSchedule requireSchedule(LearningRateSchedule schedule) {
        if (schedule == null) {
            throw new IllegalArgumentException("learning-rate schedule is null");
        }
        return schedule;
    }

    /** Checks {@code lo < v < hi} (or {@code <= hi} when {@code hiInclusive}) and finiteness. */
    static double requireRange(String what, double v, double lo, boolean loInclusive, double hi, boolean hiInclusive) {
        boolean ok = Double.isFinite(v)
                && (loInclusive ? v >= lo : v > lo)
                && (hiInclusive ? v <= hi : v < hi);
        if (!ok) {
            throw new IllegalArgumentException(what + " must be in " + (loInclusive ? "[" : "(") + lo + ", " + hi
                    + (hiInclusive ? "]" : ")") + ", got " + v);
        }
        return v;
    }

    static double requirePositive(String what, double v) {
        if (!(Double.isFinite(v) && v > 0)) {
            throw new IllegalArgumentException(what + " must be a finite number > 0, got " + v);
        }
        return v;
    }

    static double requireNonNegative(String what, double v) {
        if (!(Double.isFinite(v) && v >= 0)) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + v);
        }
        return v;
    }

    /** {@code grad[i] = sums[i] * scale} on {@code [from, to)}; returns the ascending sum of their squares. */
    static double scaleInto(double[] sums, double scale, double[] grad, int from, int to) {
        double ss = 0;
        for (int i = from; i < to; i++) {
            double g = sums[i] * scale;
            grad[i] = g;
            ss += g * g;
        }
        return ss;
    }

    /** Checks the optimizer was initialised and both buffers have the layout's size. */
    static void checkStep(String name, int size, double[] params, double[] grad, long stepIndex) {
        if (size < 0) {
            throw new IllegalStateException(name + ": call init(layout) before step()");
        }
        if (params == null || grad == null) {
            throw new IllegalArgumentException(name + ": params and grad must not be null");
        }
        if (params.length != size || grad.length != size) {
            throw new ShapeMismatchException(name + ".step: params=" + params.length + "x1, grad="
                    + grad.length + "x1 (layout has " + size + " parameters)");
        }
        if (stepIndex < 0) {
            throw new IllegalArgumentException(name + ": step index must be >= 0, got " + stepIndex);
        }
    }

    static void checkRestore(String name, int size) {
        if (size < 0) {
            throw new IllegalStateException(name + ": call init(layout) before restoreState()");
        }
    }
}
