package org.descent.math.sparse;

import java.io.Serializable;

/**
 * {@link SparseRows} with {@code double} values. A plain final class, not a record: Kryo (if configured as
 * spark.serializer) cannot serialise records. Wraps the arrays without copying; O(1) checks
 * only (call {@link #validate()} for the full check).
 */
public final class CsrMatrix implements SparseRows, Serializable {
    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int cols;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final double[] values;

    public CsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, double[] values) {
        SparseRows.checkStructure("CsrMatrix", rows, cols, rowPtr, colIdx, values == null ? -1 : values.length);
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public int[] rowPtr() {
        return rowPtr;
    }

    @Override
    public int[] colIdx() {
        return colIdx;
    }

    /** The values, entry {@code p} at {@code values()[p]} (the array itself, not a copy). */
    public double[] values() {
        return values;
    }

    @Override
    public double valueAt(int p) {
        return values[p];
    }

    @Override
    public String toString() {
        return "CsrMatrix[" + rows + "x" + cols + ", nnz=" + nnz() + "]";
    }
}
