package org.descent.job.model;

import java.io.Serializable;

/**
 * A per-feature affine map {@code x'_j = (x_j - shift_j) * scale_j}, fitted on the training data and
 * stored with the model so prediction sees the same inputs as training. Standardisation is
 * {@code shift = mean, scale = 1/std}; min-max is {@code shift = min, scale = 1/(max - min)}; a
 * constant feature gets {@code scale = 1} (it is only centred).
 */
public record FeatureScaler(String kind, double[] shift, double[] scale) implements Serializable {
    public FeatureScaler {
        if (shift.length != scale.length) {
            throw new IllegalArgumentException("scaler: shift has " + shift.length + " entries, scale " + scale.length);
        }
    }

    public int numFeatures() {
        return shift.length;
    }

    /** Applies the map in place to a column-major {@code rows x cols} block (one pass per column). */
    public void transformInPlace(double[] colMajor, int rows, int cols) {
        if (cols != shift.length) {
            throw new IllegalArgumentException("scaler fitted on " + shift.length + " features, block has " + cols);
        }
        for (int j = 0; j < cols; j++) {
            double s = shift[j];
            double k = scale[j];
            int base = j * rows;
            for (int i = 0; i < rows; i++) {
                colMajor[base + i] = (colMajor[base + i] - s) * k;
            }
        }
    }
}
