package org.descent.math;

/**
 * A dense matrix of floats, column-major with leading dimension {@code rows} (element (i, j) is
 * {@code data[i + j * rows]}), the single-precision twin of {@link Matrix} as a data holder only:
 * the input block of a float32 network pass ({@code Network} with a {@code FLOAT32} workspace),
 * half the memory of a double block when cached. The array may be longer than {@code rows * cols}.
 */
public final class FloatMatrix {
    private final int rows;
    private final int cols;
    private final float[] data;

    private FloatMatrix(int rows, int cols, float[] data) {
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    /** Wraps {@code data} (column-major, length at least rows*cols) without copying. */
    public static FloatMatrix wrap(int rows, int cols, float[] data) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        }
        if (data.length < (long) rows * cols) {
            throw new ShapeMismatchException("wrap: shape=" + rows + "x" + cols + ", data length=" + data.length);
        }
        return new FloatMatrix(rows, cols, data);
    }

    public static FloatMatrix zeros(int rows, int cols) {
        return wrap(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }

    /** A new float matrix holding {@code m} rounded to nearest float (compact: exactly rows*cols long). */
    public static FloatMatrix of(Matrix m) {
        float[] d = new float[m.size()];
        toFloat(m.data(), 0, d, 0, d.length);
        return new FloatMatrix(m.rows(), m.cols(), d);
    }

    /** A new double matrix holding this one exactly (widening is exact). */
    public Matrix toMatrix() {
        double[] d = new double[size()];
        toDouble(data, 0, d, 0, d.length);
        return Matrix.wrap(rows, cols, d);
    }

    /** {@code dst[dstOff + i] = (float) src[srcOff + i]} for {@code i < len} (round to nearest). */
    public static void toFloat(double[] src, int srcOff, float[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = (float) src[srcOff + i];
        }
    }

    /** {@code dst[dstOff + i] = src[srcOff + i]} for {@code i < len} (exact). */
    public static void toDouble(float[] src, int srcOff, double[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = src[srcOff + i];
        }
    }

    public int rows() { return rows; }

    public int cols() { return cols; }

    /** Number of elements, {@code rows * cols} (may be less than {@code data().length}). */
    public int size() { return rows * cols; }

    /** The backing array (column-major, leading dimension {@link #rows()}). */
    public float[] data() { return data; }

    public float get(int i, int j) { return data[i + j * rows]; }

    public void set(int i, int j, float v) { data[i + j * rows] = v; }

    public String shape() { return rows + "x" + cols; }

    /** This matrix as a Breeze {@code DenseMatrix[Float]} over the same array (no copy). */
    public breeze.linalg.DenseMatrix<Object> asBreeze() {
        return new breeze.linalg.DenseMatrix<>(rows, cols, data, 0, Math.max(1, rows), false);
    }

    @Override
    public String toString() {
        return "FloatMatrix " + shape();
    }
}
