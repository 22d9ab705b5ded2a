package org.descent.math;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A dense matrix of doubles stored column-major in a {@code double[]} with leading dimension
 * {@code rows}: element (i, j) is {@code data[i + j * rows]}. The array may be longer than
 * {@code rows * cols} (a workspace buffer re-wrapped for a smaller batch); only the first
 * {@code rows * cols} entries belong to the matrix. Wrapping never copies.
 *
 * <p>This class is the data holder and the creation methods only; {@link #asBreeze()} is the same
 * memory as a Breeze {@code DenseMatrix} for Breeze's operators. Products run in place through
 * {@link Blas} (GEMM); {@link BreezeInterop} has the Breeze views of parameters and the solves;
 * {@link MatrixOps} the few element-wise kernels the network's hot path needs.
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

    /** A matrix with every entry equal to 1. */
    public static Matrix ones(int rows, int cols) {
        return filled(rows, cols, 1.0);
    }

    /** A matrix with every entry equal to {@code value}. */
    public static Matrix filled(int rows, int cols, double value) {
        Matrix m = zeros(rows, cols);
        Arrays.fill(m.data, value);
        return m;
    }

    /** The n x n identity. */
    public static Matrix identity(int n) {
        Matrix m = zeros(n, n);
        for (int i = 0; i < n; i++) {
            m.set(i, i, 1.0);
        }
        return m;
    }

    /**
     * Copies row-major nested arrays ({@code rows[i][j]} is element (i, j)) into a new column-major
     * matrix. All rows must have the same length (else {@link ShapeMismatchException}).
     */
    public static Matrix fromRows(double[][] rowArrays) {
        int r = rowArrays.length;
        int c = r == 0 ? 0 : rowArrays[0].length;
        Matrix m = zeros(r, c);
        for (int i = 0; i < r; i++) {
            if (rowArrays[i].length != c) {
                throw new ShapeMismatchException("fromRows: row 0 has " + c + " columns, row " + i
                        + " has " + rowArrays[i].length);
            }
            for (int j = 0; j < c; j++) {
                m.data[i + j * r] = rowArrays[i][j];
            }
        }
        return m;
    }

    /** A 1 x n row vector holding a copy of {@code values}. */
    public static Matrix rowVector(double... values) {
        return wrap(1, values.length, values.clone());
    }

    /** An n x 1 column vector holding a copy of {@code values}. */
    public static Matrix columnVector(double... values) {
        return wrap(values.length, 1, values.clone());
    }

    /** Entries drawn i.i.d. from N(mean, std^2) by {@code new SplittableRandom(seed)}, column-major order. */
    public static Matrix normal(int rows, int cols, double mean, double std, long seed) {
        return normal(rows, cols, mean, std, new SplittableRandom(seed));
    }

    /** Entries drawn i.i.d. from N(mean, std^2) by {@code rng}, in column-major order. */
    public static Matrix normal(int rows, int cols, double mean, double std, SplittableRandom rng) {
        Matrix m = zeros(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = mean + std * rng.nextGaussian();
        }
        return m;
    }

    /** Entries drawn i.i.d. from U[lo, hi) by {@code new SplittableRandom(seed)}, column-major order. */
    public static Matrix uniform(int rows, int cols, double lo, double hi, long seed) {
        return uniform(rows, cols, lo, hi, new SplittableRandom(seed));
    }

    /** Entries drawn i.i.d. from U[lo, hi) by {@code rng}, in column-major order. */
    public static Matrix uniform(int rows, int cols, double lo, double hi, SplittableRandom rng) {
        if (!(hi > lo)) {
            throw new IllegalArgumentException("uniform: need lo < hi, got [" + lo + ", " + hi + ")");
        }
        Matrix m = zeros(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = lo + (hi - lo) * rng.nextDouble();
        }
        return m;
    }

    public int rows() { return rows; }

    public int cols() { return cols; }

    /** Number of elements, {@code rows * cols} (may be less than {@code data().length}). */
    public int size() { return rows * cols; }

    /** The backing array (column-major, leading dimension {@link #rows()}). */
    public double[] data() { return data; }

    public double get(int i, int j) { return data[i + j * rows]; }

    public void set(int i, int j, double v) { data[i + j * rows] = v; }

    public String shape() { return rows + "x" + cols; }

    /**
     * This matrix as a Breeze {@code DenseMatrix[Double]} over the same array (no copy; rows x cols,
     * column-major, leading dimension rows): Breeze's operators read it, writes go both ways.
     */
    public breeze.linalg.DenseMatrix<Object> asBreeze() {
        return new breeze.linalg.DenseMatrix<>(rows, cols, data, 0, Math.max(1, rows), false);
    }

    /** True when {@code other} has the same rows and cols. */
    public boolean sameShape(Matrix other) {
        return rows == other.rows && cols == other.cols;
    }

    /** A compact deep copy (its array is exactly rows*cols long). */
    public Matrix copy() {
        return wrap(rows, cols, Arrays.copyOf(data, rows * cols));
    }

    /** Row-major nested copy: {@code result[i][j] = get(i, j)}. */
    public double[][] toRows() {
        double[][] out = new double[rows][cols];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                out[i][j] = data[i + j * rows];
            }
        }
        return out;
    }

    /** A copy of row {@code i}. */
    public double[] row(int i) {
        double[] out = new double[cols];
        for (int j = 0; j < cols; j++) {
            out[j] = data[i + j * rows];
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Matrix ").append(shape());
        int shownRows = Math.min(rows, 6);
        int shownCols = Math.min(cols, 8);
        for (int i = 0; i < shownRows; i++) {
            b.append(i == 0 ? " [" : ", ").append('[');
            for (int j = 0; j < shownCols; j++) {
                if (j > 0) b.append(", ");
                b.append(get(i, j));
            }
            b.append(cols > shownCols ? ", ...]" : "]");
        }
        if (rows > 0) b.append(rows > shownRows ? ", ...]" : "]");
        return b.toString();
    }
}
