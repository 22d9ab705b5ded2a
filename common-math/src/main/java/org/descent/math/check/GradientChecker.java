package org.descent.math.check;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.descent.math.nn.ParameterLayout;

/**
 * Central-difference gradient checker. For parameter i with step h:
 * {@code numeric_i = (f(w + h e_i) - f(w - h e_i)) / (w_i^+ - w_i^-)} where
 * {@code w_i^± = w_i ± h} as actually rounded in double (so the denominator is the exact step
 * taken, ≈ 2h; truncation error O(h^2)). Relative error {@code |a - n| / max(|a|, |n|, 1e-8)}.
 * With h ≈ 1e-5 a correct double-precision gradient typically gives errors below 1e-7.
 *
 * <p>{@code f} is evaluated 2 times per checked parameter, on {@code params} itself (each entry is
 * perturbed and restored in turn, even if {@code f} throws); {@code f} must not keep a reference to
 * its argument. Use the sampled variant for large networks.
 */
public final class GradientChecker {
    /** Floor of the relative-error denominator. */
    public static final double DENOMINATOR_FLOOR = 1e-8;

    private GradientChecker() {}

    /** Worst parameter and its error ({@code worstIndex = -1} when nothing was checked). */
    public record Result(int worstIndex, double worstRelativeError, double analytic, double numeric) {}

    /**
     * Worst error within one {@link ParameterLayout.Segment} (a layer's weights or bias);
     * {@code worstIndex} is the flat index, {@code checked} the number of parameters compared.
     */
    public record SegmentResult(ParameterLayout.Segment segment, int checked, int worstIndex,
                                double worstRelativeError, double analytic, double numeric) {}

    /** Checks every parameter; {@code f} must not keep a reference to its argument. {@code params} is restored. */
    public static Result check(ToDoubleFunction<double[]> f, double[] params, double[] analyticGrad, double h) {
        validate(params, analyticGrad, h);
        Worst w = new Worst();
        for (int i = 0; i < params.length; i++) {
            w.offer(i, analyticGrad[i], numericPartial(f, params, i, h));
        }
        return new Result(w.index, w.error, w.analytic, w.numeric);
    }

    /** Checks every parameter and reports the worst error per weight/bias segment, in layout order. */
    public static List<SegmentResult> checkPerSegment(ToDoubleFunction<double[]> f, double[] params,
                                                      double[] analyticGrad, double h, ParameterLayout layout) {
        return checkPerSegmentSampled(f, params, analyticGrad, h, layout, Integer.MAX_VALUE, 0L);
    }

    /**
     * Like {@link #checkPerSegment} but checks at most {@code maxPerSegment} parameters of each
     * segment, chosen without replacement by {@code new SplittableRandom(seed)} (a segment no larger
     * than that is checked whole). Cost: {@code 2 * Σ min(len, maxPerSegment)} evaluations of f.
     */
    public static List<SegmentResult> checkPerSegmentSampled(ToDoubleFunction<double[]> f, double[] params,
                                                             double[] analyticGrad, double h,
                                                             ParameterLayout layout, int maxPerSegment, long seed) {
        validate(params, analyticGrad, h);
        if (params.length != layout.size()) {
            throw new IllegalArgumentException("gradient check: " + params.length + " parameters but the layout has "
                    + layout.size() + " (" + layout + ")");
        }
        if (maxPerSegment <= 0) {
            throw new IllegalArgumentException("gradient check: maxPerSegment must be positive, got " + maxPerSegment);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<SegmentResult> out = new ArrayList<>();
        for (ParameterLayout.Segment s : layout.segments()) {
            int[] indices = pick(s.offset(), s.length(), maxPerSegment, rng);
            Worst w = new Worst();
            for (int i : indices) {
                w.offer(i, analyticGrad[i], numericPartial(f, params, i, h));
            }
            out.add(new SegmentResult(s, indices.length, w.index, w.error, w.analytic, w.numeric));
        }
        return out;
    }

    /** The overall worst of per-segment results. */
    public static Result worst(List<SegmentResult> results) {
        Worst w = new Worst();
        for (SegmentResult r : results) {
            if (r.worstIndex() >= 0) {
                w.offerError(r.worstIndex(), r.worstRelativeError(), r.analytic(), r.numeric());
            }
        }
        return new Result(w.index, w.error, w.analytic, w.numeric);
    }

    /**
     * {@code (f(w + h e_i) - f(w - h e_i)) / (w_i^+ - w_i^-)}; restores {@code params[i]} afterwards.
     */
    public static double numericPartial(ToDoubleFunction<double[]> f, double[] params, int i, double h) {
        double saved = params[i];
        double plus = saved + h;
        double minus = saved - h;
        try {
            params[i] = plus;
            double fPlus = f.applyAsDouble(params);
            params[i] = minus;
            double fMinus = f.applyAsDouble(params);
            return (fPlus - fMinus) / (plus - minus);
        } finally {
            params[i] = saved;
        }
    }

    /** {@code |a - n| / max(|a|, |n|, 1e-8)}; NaN if either is NaN. */
    public static double relativeError(double analytic, double numeric) {
        double denom = Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), DENOMINATOR_FLOOR);
        return Math.abs(analytic - numeric) / denom;
    }

    private static int[] pick(int offset, int length, int max, SplittableRandom rng) {
        int count = Math.min(length, max);
        int[] all = new int[length];
        for (int i = 0; i < length; i++) {
            all[i] = offset + i;
        }
        if (count == length) {
            return all;
        }
        for (int i = 0; i < count; i++) { // partial Fisher-Yates
            int j = i + rng.nextInt(length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = java.util.Arrays.copyOf(all, count);
        java.util.Arrays.sort(chosen);
        return chosen;
    }

    private static void validate(double[] params, double[] analyticGrad, double h) {
        if (params.length != analyticGrad.length) {
            throw new IllegalArgumentException("gradient check: " + params.length + " parameters but "
                    + analyticGrad.length + " gradient entries");
        }
        if (!(h > 0 && Double.isFinite(h))) {
            throw new IllegalArgumentException("gradient check: step h must be positive and finite, got " + h);
        }
    }

    /** Running worst; a NaN error counts as worse than any number. */
    private static final class Worst {
        int index = -1;
        double error = 0.0;
        double analytic;
        double numeric;

        void offer(int i, double a, double n) {
            offerError(i, relativeError(a, n), a, n);
        }

        void offerError(int i, double e, double a, double n) {
            boolean worse = index < 0 || (Double.isNaN(e) && !Double.isNaN(error)) || e > error;
            if (worse) {
                index = i;
                error = e;
                analytic = a;
                numeric = n;
            }
        }
    }
}
