package org.descent.math.sparse;

import java.io.Serializable;

/**
 * {@link SparseRows} with {@code double} values. Wraps the arrays without copying; O(1) checks
 * only (call {@link #validate()} for the full check).
 */
public record CsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, double[] values)
        implements SparseRows, Serializable {
    public CsrMatrix {
        SparseRows.checkStructure("CsrMatrix", rows, cols, rowPtr, colIdx, values == null ? -1 : values.length);
    }

    @Override
    public double valueAt(int p) {
        return values[p];
    }
}
