package org.descent.math;

/**
 * A dense matrix of doubles stored column-major in a {@code double[]} with leading dimension
 * {@code rows}: element (i, j) is {@code data[i + j * rows]}. The array may be longer than
 * {@code rows * cols} (a workspace buffer re-wrapped for a smaller batch); only the first
 * {@code rows * cols} entries belong to the matrix. Wrapping never copies.
 *
 * <p>API CONTRACT (skeleton): the full facade (creation, element-wise ops, broadcasting, reductions,
 * Breeze interop) is filled in by the common-math core work; the members below are fixed.
 */
public final class Matrix {
    private final int rows;
    private final int cols;
    private final double[] data;

    private Matrix(int rows, int cols, double[] data) {
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    /** Wraps {@code data} (column-major, length at least rows*cols) without copying. */
    public static Matrix wrap(int rows, int cols, double[] data) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        }
        if (data.length < (long) rows * cols) {
            throw new ShapeMismatchException("wrap: shape=" + rows + "x" + cols + ", data length=" + data.length);
        }
        return new Matrix(rows, cols, data);
    }

    public static Matrix zeros(int rows, int cols) {
        return wrap(rows, cols, new double[Math.multiplyExact(rows, cols)]);
    }

    public int rows() { return rows; }

    public int cols() { return cols; }

    /** The backing array (column-major, leading dimension {@link #rows()}). */
    public double[] data() { return data; }

    public double get(int i, int j) { return data[i + j * rows]; }

    public void set(int i, int j, double v) { data[i + j * rows] = v; }

    public String shape() { return rows + "x" + cols; }
}
