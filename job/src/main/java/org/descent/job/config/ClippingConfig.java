package org.descent.job.config;

/** The {@code clipping} section: global L2-norm clipping of the step gradient; {@code maxNorm = 0} is off. */
public record ClippingConfig(double maxNorm) {
    public boolean enabled() {
        return maxNorm > 0;
    }
}
