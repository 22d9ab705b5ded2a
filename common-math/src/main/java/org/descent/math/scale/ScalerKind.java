package org.descent.math.scale;

import java.util.Locale;

/** How {@link Scaler} maps a feature: {@code x' = (x - offset) / scale}. */
public enum ScalerKind {
    /** offset 0, scale 1. */
    NONE,
    /** offset = mean, scale = population std (1 for a constant feature): zero mean, unit variance. */
    STANDARD,
    /** offset = min, scale = max - min (1 for a constant feature): training data in [0, 1]. */
    MIN_MAX;

    /** Case-insensitive; '-' and '_' interchangeable ("min-max"). */
    public static ScalerKind parse(String text) {
        String key = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (ScalerKind k : values()) {
            if (k.name().equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown feature scaling '" + text + "'; expected one of none, standard, min-max");
    }

    /** Lower-case config spelling, e.g. "min-max". */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
