package org.descent.math.sparse;

import org.descent.math.ShapeMismatchException;

/**
 * A block of rows in compressed sparse row (CSR) form: row {@code i} holds the entries
 * {@code p in [rowPtr[i], rowPtr[i+1])} at 0-based column {@code colIdx[p]}, strictly increasing
 * within a row. Memory is proportional to the non-zeros: one {@code int} index and one value
 * ({@code double} in {@link CsrMatrix}, {@code float} in {@link FloatCsrMatrix}) per entry, plus
 * {@code rows + 1} row pointers. The arrays may be longer than needed (reusable per-partition
 * buffers): only {@code rowPtr[0..rows]} and entries {@code [rowPtr[0], rowPtr[rows])} are read.
 */
public sealed interface SparseRows permits CsrMatrix, FloatCsrMatrix {
    int rows();

    int cols();

    int[] rowPtr();

    int[] colIdx();

    /** Stored entries, {@code rowPtr[rows] - rowPtr[0]}. */
    default int nnz() {
        return rowPtr()[rows()] - rowPtr()[0];
    }

    /** Value of entry {@code p} as double. */
    double valueAt(int p);

    /** Checks the array lengths against the shape (O(1)); called by the constructors. */
    static void checkStructure(String what, int rows, int cols, int[] rowPtr, int[] colIdx, int valuesLength) {
        if (rows < 0 || cols < 0 || rowPtr == null || colIdx == null || rowPtr.length < rows + 1) {
            throw new ShapeMismatchException(what + ": rows=" + rows + ", cols=" + cols + ", rowPtr="
                    + (rowPtr == null ? "null" : String.valueOf(rowPtr.length)) + " (needs rows + 1 entries)");
        }
        int end = rowPtr[rows];
        if (rowPtr[0] < 0 || end < rowPtr[0] || end > colIdx.length || end > valuesLength) {
            throw new ShapeMismatchException(what + ": rowPtr spans [" + rowPtr[0] + ", " + end + ") but colIdx has "
                    + colIdx.length + " and values " + valuesLength + " entries");
        }
    }

    /**
     * Full O(nnz) validation: row pointers non-decreasing, column indices strictly increasing within
     * each row and in {@code [0, cols)}, values finite. Throws {@link IllegalArgumentException} naming the
     * row and entry.
     */
    default void validate() {
        int[] ptr = rowPtr();
        int[] idx = colIdx();
        for (int i = 0; i < rows(); i++) {
            if (ptr[i + 1] < ptr[i]) {
                throw new IllegalArgumentException("sparse rows: rowPtr decreases at row " + i);
            }
            int prev = -1;
            for (int p = ptr[i]; p < ptr[i + 1]; p++) {
                int c = idx[p];
                if (c <= prev || c >= cols()) {
                    throw new IllegalArgumentException("sparse rows: row " + i + " has column index " + c
                            + (c >= cols() ? " beyond the " + cols() + " columns" : " after " + prev
                            + " (indices must be strictly increasing)"));
                }
                double v = valueAt(p);
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("sparse rows: row " + i + ", column " + c + " is " + v);
                }
                prev = c;
            }
        }
    }
}
