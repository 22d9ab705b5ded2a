package org.descent.job.config;

/** {@code data.scaling}: feature scaling fitted on the training data. */
public enum ScalingType {
    NONE,
    /** (x - mean) / std per feature (std 0 → feature left centred). */
    STANDARDIZE,
    /** (x - min) / (max - min) per feature into [0, 1]. */
    MIN_MAX
}
