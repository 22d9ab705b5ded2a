package org.descent.math.scale;

import java.util.Locale;

/** How {@link Scaler} maps a feature: {@code x' = (x - offset) / scale}. */
public enum ScalerKind {
    /** offset 0, scale 1. */
    NONE,
    /** offset = mean, scale = population std (1 for a constant feature): zero mean, unit variance. */
    STANDARD,
    /** offset = min, scale = max - min (1 for a constant feature): training data in [0, 1]. */
    MIN_MAX,
    /** offset 0, scale = max |x| (1 for an all-zero feature): data in [-1, 1], zeros stay zero (sparse-safe). */
    MAX_ABS,
    /** offset 0, scale = population std (1 for a constant feature): unit variance without centering (sparse-safe). */
    UNIT_VARIANCE;

    /** Whether every offset is 0, so a zero stays zero and sparse rows stay sparse. */
    public boolean keepsZeros() {
        return this == NONE || this == MAX_ABS || this == UNIT_VARIANCE;
    }

    /** Case-insensitive; '-' and '_' interchangeable ("min-max"). */
    public static ScalerKind parse(String text) {
        String key = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (ScalerKind k : values()) {
            if (k.name().equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown feature scaling '" + text + "'; expected one of none, standard, min-max, max-abs, unit-variance");
    }

    /** Lower-case config spelling, e.g. "min-max". */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
