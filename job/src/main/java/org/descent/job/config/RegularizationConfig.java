package org.descent.job.config;

/** The {@code regularization} section: penalty {@code l1 Σ|w| + l2 Σ w²} over weights (and biases if asked). */
public record RegularizationConfig(double l1, double l2, boolean includeBias) {
    public boolean enabled() {
        return l1 > 0 || l2 > 0;
    }
}
