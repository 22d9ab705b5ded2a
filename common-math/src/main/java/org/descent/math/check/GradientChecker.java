package org.descent.math.check;

import java.util.function.ToDoubleFunction;

/**
 * API CONTRACT (skeleton): central-difference gradient checker, filled in by the core work.
 * {@code numeric_i = (f(w + h e_i) - f(w - h e_i)) / 2h}, relative error
 * {@code |a - n| / max(|a|, |n|, 1e-8)}.
 */
public final class GradientChecker {
    private GradientChecker() {}

    /** Worst parameter and its error. */
    public record Result(int worstIndex, double worstRelativeError, double analytic, double numeric) {}

    /** Checks every parameter; {@code f} must not keep a reference to its argument. {@code params} is restored. */
    public static Result check(ToDoubleFunction<double[]> f, double[] params, double[] analyticGrad, double h) {
        throw new UnsupportedOperationException("TODO(core)");
    }
}
