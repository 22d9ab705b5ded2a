package org.descent.math.sparse;

import java.io.Serializable;

/**
 * {@link SparseRows} with {@code float} values (a FLOAT32 run's cache: 8 bytes per non-zero).
 * Wraps the arrays without copying; O(1) checks only.
 */
public record FloatCsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values)
        implements SparseRows, Serializable {
    public FloatCsrMatrix {
        SparseRows.checkStructure("FloatCsrMatrix", rows, cols, rowPtr, colIdx, values == null ? -1 : values.length);
    }

    @Override
    public double valueAt(int p) {
        return values[p];
    }
}
