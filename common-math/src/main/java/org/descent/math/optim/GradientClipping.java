package org.descent.math.optim;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Gradient clipping, applied to the final gradient (after regularisation) just before
 * {@link Optimizer#step}:
 *
 * <ul>
 *   <li>by value: {@code g_i = clamp(g_i, -maxValue, maxValue)};</li>
 *   <li>by global L2 norm (Pascanu et al. 2013, "On the difficulty of training recurrent neural
 *       networks", Algorithm 1): if {@code ||g||_2 > maxNorm} then {@code g = g * maxNorm / ||g||_2}
 *       (direction kept).</li>
 * </ul>
 *
 * Either limit may be {@code +Infinity} (= off). With both on, value clipping runs first, then norm
 * clipping. The norm is computed with BLAS {@code dnrm2} (scaled, so no overflow for huge entries).
 * A zero gradient stays zero. A gradient holding NaN is left unchanged and its NaN norm is returned,
 * so the caller can detect divergence.
 */
public record GradientClipping(double maxNorm, double maxValue) implements java.io.Serializable {
    public GradientClipping {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be > 0 (or +Infinity for off), got " + maxNorm);
        }
        if (!(maxValue > 0)) {
            throw new IllegalArgumentException("maxValue must be > 0 (or +Infinity for off), got " + maxValue);
        }
    }

    public static GradientClipping none() {
        return new GradientClipping(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    public static GradientClipping byNorm(double maxNorm) {
        return new GradientClipping(maxNorm, Double.POSITIVE_INFINITY);
    }

    public static GradientClipping byValue(double maxValue) {
        return new GradientClipping(Double.POSITIVE_INFINITY, maxValue);
    }

    public boolean isNone() {
        return maxNorm == Double.POSITIVE_INFINITY && maxValue == Double.POSITIVE_INFINITY;
    }

    /**
     * Clips {@code grad} in place and returns its global L2 norm <em>before</em> any clipping (for
     * progress reports). Allocates nothing.
     */
    public double apply(double[] grad) {
        double preNorm = norm(grad);
        if (Double.isNaN(preNorm)) {
            return preNorm;
        }
        if (maxValue != Double.POSITIVE_INFINITY) {
            for (int i = 0; i < grad.length; i++) {
                double g = grad[i];
                if (g > maxValue) {
                    grad[i] = maxValue;
                } else if (g < -maxValue) {
                    grad[i] = -maxValue;
                }
            }
        }
        if (maxNorm != Double.POSITIVE_INFINITY) {
            double n = maxValue == Double.POSITIVE_INFINITY ? preNorm : norm(grad);
            if (n > maxNorm) {
                double scale = maxNorm / n;
                for (int i = 0; i < grad.length; i++) {
                    grad[i] *= scale;
                }
            }
        }
        return preNorm;
    }

    /** Global L2 norm {@code sqrt(sum g_i^2)} via BLAS dnrm2. */
    public static double norm(double[] g) {
        if (g.length == 0) {
            return 0;
        }
        double n = BLAS.getInstance().dnrm2(g.length, g, 1);
        if (!Double.isNaN(n)) {
            for (double v : g) {
                if (Double.isNaN(v)) {
                    return Double.NaN; // some dnrm2 implementations skip NaN entries
                }
            }
        }
        return n;
    }
}
