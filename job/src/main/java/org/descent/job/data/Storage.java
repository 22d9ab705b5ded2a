package org.descent.job.data;

import org.descent.math.nn.Precision;

/**
 * Width of the cached feature values ({@code data.storage}): {@link #FLOAT64}, {@link #FLOAT32} (half the
 * memory; each value rounded once to float32 after scaling), or {@link #AUTO}: FLOAT32 when the run computes
 * in float32 (its first layer rounds the input to float32 anyway, so a float32 run's training is bit-identical
 * either way), else FLOAT64.
 */
public enum Storage {
    AUTO, FLOAT64, FLOAT32;

    /** FLOAT64 or FLOAT32 for a run computing in {@code precision}. */
    public Storage resolve(Precision precision) {
        if (this != AUTO) return this;
        return precision == Precision.FLOAT32 ? FLOAT32 : FLOAT64;
    }

    /** Bytes per stored value (AUTO: unresolved, an error). */
    public int bytesPerValue() {
        if (this == AUTO) throw new IllegalStateException("data.storage = auto is not resolved");
        return this == FLOAT32 ? 4 : 8;
    }
}
