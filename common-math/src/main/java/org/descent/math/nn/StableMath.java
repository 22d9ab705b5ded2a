package org.descent.math.nn;

/** Scalar functions evaluated without overflow or catastrophic cancellation. */
final class StableMath {
    private StableMath() {}

    /**
     * {@code 1 / (1 + e^{-z})}: for {@code z >= 0} as written, for {@code z < 0} as
     * {@code e^z / (1 + e^z)}, so {@code exp} only ever sees a non-positive argument.
     */
    static double sigmoid(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    /**
     * Binary cross-entropy on a logit: {@code -y log σ(z) - (1-y) log(1-σ(z))}
     * {@code = max(z,0) - z y + log1p(e^{-|z|})}, finite for every finite z.
     */
    static double bceWithLogits(double z, double y) {
        return Math.max(z, 0.0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
    }
}
