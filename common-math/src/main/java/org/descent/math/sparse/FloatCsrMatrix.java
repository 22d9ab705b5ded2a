package org.descent.math.sparse;

import java.io.Serializable;

/**
 * {@link SparseRows} with {@code float} values (a FLOAT32 run's cache: 8 bytes per non-zero).
 * A plain final class, not a record: Kryo (if configured as
 * spark.serializer) cannot serialise records. Wraps the arrays without copying; O(1) checks only.
 */
public final class FloatCsrMatrix implements SparseRows, Serializable {
    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int cols;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final float[] values;

    public FloatCsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        SparseRows.checkStructure("FloatCsrMatrix", rows, cols, rowPtr, colIdx, values == null ? -1 : values.length);
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
    public float[] values() {
        return values;
    }

    @Override
    public double valueAt(int p) {
        return values[p];
    }

    @Override
    public String toString() {
        return "FloatCsrMatrix[" + rows + "x" + cols + ", nnz=" + nnz() + "]";
    }
}
