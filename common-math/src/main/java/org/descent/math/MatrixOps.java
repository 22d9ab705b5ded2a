package org.descent.math;

/**
 * Element-wise operations, broadcasting, reductions, reshape and transpose on {@link Matrix}.
 *
 * <p>Naming: {@code xxxInto(..., out)} writes into a caller-supplied output of the result shape
 * (allocation-free; {@code out} may be the same object as an input for element-wise ops),
 * {@code xxxInPlace(a, ...)} overwrites {@code a}, and plain {@code xxx(...)} allocates the result.
 * Every shape check throws {@link ShapeMismatchException} naming the operation and both shapes.
 * Only the first {@code rows*cols} entries of each backing array are read or written.
 * Matrix products are in {@link Blas}.
 */
public final class MatrixOps {
    private MatrixOps() {}

    // ---------------------------------------------------------------- transpose / reshape

    /** Returns {@code a^T} (cols x rows). */
    public static Matrix transpose(Matrix a) {
        Matrix out = Matrix.zeros(a.cols(), a.rows());
        transposeInto(a, out);
        return out;
    }

    /** {@code out = a^T}; {@code out} must be cols x rows and must not share {@code a}'s array. */
    public static void transposeInto(Matrix a, Matrix out) {
        if (out.rows() != a.cols() || out.cols() != a.rows()) {
            throw ShapeMismatchException.of("transpose", "a", a.rows(), a.cols(), "out", out.rows(), out.cols());
        }
        if (out.data() == a.data() && a.size() > 1) {
            throw new IllegalArgumentException("transpose: out must not share its array with a");
        }
        int r = a.rows();
        int c = a.cols();
        double[] src = a.data();
        double[] dst = out.data();
        for (int j = 0; j < c; j++) {
            for (int i = 0; i < r; i++) {
                dst[j + i * c] = src[i + j * r];
            }
        }
    }

    /**
     * The same elements viewed as {@code rows x cols} in column-major order (no copy: the result
     * shares {@code a}'s array). The element count must be unchanged.
     */
    public static Matrix reshape(Matrix a, int rows, int cols) {
        if (rows < 0 || cols < 0 || (long) rows * cols != a.size()) {
            throw ShapeMismatchException.of("reshape", "a", a.rows(), a.cols(), "target", rows, cols);
        }
        return Matrix.wrap(rows, cols, a.data());
    }

    // ---------------------------------------------------------------- same-shape element-wise

    /** Returns {@code a + b}. */
    public static Matrix add(Matrix a, Matrix b) {
        Matrix out = Matrix.zeros(a.rows(), a.cols());
        addInto(a, b, out);
        return out;
    }

    /** {@code out = a + b} (all the same shape). */
    public static void addInto(Matrix a, Matrix b, Matrix out) {
        requireSame("add", a, b);
        requireSame("add", "a", a, "out", out);
        double[] x = a.data(), y = b.data(), z = out.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            z[i] = x[i] + y[i];
        }
    }

    /** {@code a += b}. */
    public static void addInPlace(Matrix a, Matrix b) {
        addInto(a, b, a);
    }

    /** Returns {@code a - b}. */
    public static Matrix subtract(Matrix a, Matrix b) {
        Matrix out = Matrix.zeros(a.rows(), a.cols());
        subtractInto(a, b, out);
        return out;
    }

    /** {@code out = a - b} (all the same shape). */
    public static void subtractInto(Matrix a, Matrix b, Matrix out) {
        requireSame("subtract", a, b);
        requireSame("subtract", "a", a, "out", out);
        double[] x = a.data(), y = b.data(), z = out.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            z[i] = x[i] - y[i];
        }
    }

    /** {@code a -= b}. */
    public static void subtractInPlace(Matrix a, Matrix b) {
        subtractInto(a, b, a);
    }

    /** Returns the Hadamard (element-wise) product {@code a ⊙ b}. */
    public static Matrix hadamard(Matrix a, Matrix b) {
        Matrix out = Matrix.zeros(a.rows(), a.cols());
        hadamardInto(a, b, out);
        return out;
    }

    /** {@code out = a ⊙ b}. */
    public static void hadamardInto(Matrix a, Matrix b, Matrix out) {
        requireSame("hadamard", a, b);
        requireSame("hadamard", "a", a, "out", out);
        double[] x = a.data(), y = b.data(), z = out.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            z[i] = x[i] * y[i];
        }
    }

    /** {@code a = a ⊙ b}. */
    public static void hadamardInPlace(Matrix a, Matrix b) {
        hadamardInto(a, b, a);
    }

    /** Returns {@code s * a}. */
    public static Matrix scale(Matrix a, double s) {
        Matrix out = Matrix.zeros(a.rows(), a.cols());
        scaleInto(a, s, out);
        return out;
    }

    /** {@code out = s * a}. */
    public static void scaleInto(Matrix a, double s, Matrix out) {
        requireSame("scale", "a", a, "out", out);
        double[] x = a.data(), z = out.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            z[i] = s * x[i];
        }
    }

    /** {@code a = s * a}. */
    public static void scaleInPlace(Matrix a, double s) {
        scaleInto(a, s, a);
    }

    /** {@code y += alpha * x} (BLAS axpy semantics, same shapes). */
    public static void axpyInPlace(double alpha, Matrix x, Matrix y) {
        requireSame("axpy", "x", x, "y", y);
        double[] u = x.data(), v = y.data();
        for (int i = 0, n = x.size(); i < n; i++) {
            v[i] += alpha * u[i];
        }
    }

    /** Returns {@code exp(a)} element-wise. */
    public static Matrix exp(Matrix a) {
        Matrix out = Matrix.zeros(a.rows(), a.cols());
        expInto(a, out);
        return out;
    }

    /** {@code out = exp(a)} element-wise. */
    public static void expInto(Matrix a, Matrix out) {
        requireSame("exp", "a", a, "out", out);
        double[] x = a.data(), z = out.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            z[i] = Math.exp(x[i]);
        }
    }

    /** {@code a = exp(a)} element-wise. */
    public static void expInPlace(Matrix a) {
        expInto(a, a);
    }

    /** Returns {@code log(a)} element-wise (natural log; negative entries give NaN, zero gives -Inf). */
    public static Matrix log(Matrix a) {
        Matrix out = Matrix.zeros(a.rows(), a.cols());
        logInto(a, out);
        return out;
    }

    /** {@code out = log(a)} element-wise. */
    public static void logInto(Matrix a, Matrix out) {
        requireSame("log", "a", a, "out", out);
        double[] x = a.data(), z = out.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            z[i] = Math.log(x[i]);
        }
    }

    /** {@code a = log(a)} element-wise. */
    public static void logInPlace(Matrix a) {
        logInto(a, a);
    }

    /** Returns {@code max(a, s)} element-wise against the scalar {@code s} (e.g. ReLU for s = 0). */
    public static Matrix max(Matrix a, double s) {
        Matrix out = Matrix.zeros(a.rows(), a.cols());
        maxInto(a, s, out);
        return out;
    }

    /** {@code out = max(a, s)} element-wise. */
    public static void maxInto(Matrix a, double s, Matrix out) {
        requireSame("max", "a", a, "out", out);
        double[] x = a.data(), z = out.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            z[i] = Math.max(x[i], s);
        }
    }

    /** {@code a = max(a, s)} element-wise. */
    public static void maxInPlace(Matrix a, double s) {
        maxInto(a, s, a);
    }

    /** Returns {@code max(a, b)} element-wise (same shapes). */
    public static Matrix max(Matrix a, Matrix b) {
        Matrix out = Matrix.zeros(a.rows(), a.cols());
        maxInto(a, b, out);
        return out;
    }

    /** {@code out = max(a, b)} element-wise. */
    public static void maxInto(Matrix a, Matrix b, Matrix out) {
        requireSame("max", a, b);
        requireSame("max", "a", a, "out", out);
        double[] x = a.data(), y = b.data(), z = out.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            z[i] = Math.max(x[i], y[i]);
        }
    }

    // ---------------------------------------------------------------- broadcasting

    /**
     * NumPy-style broadcasting add: {@code b} of shape n x m is added element-wise, a row vector
     * 1 x m is added to every row ({@code (n,m) + (m,)}), a column vector n x 1 to every column
     * ({@code (n,m) + (n,1)}). Any other shape throws.
     */
    public static Matrix broadcastAdd(Matrix a, Matrix b) {
        Matrix out = a.copy();
        broadcastAddInPlace(out, b);
        return out;
    }

    /** In-place form of {@link #broadcastAdd}: {@code a += broadcast(b)}. */
    public static void broadcastAddInPlace(Matrix a, Matrix b) {
        if (a.sameShape(b)) {
            addInPlace(a, b);
        } else if (b.rows() == 1 && b.cols() == a.cols()) {
            addRowVectorInPlace(a, b);
        } else if (b.cols() == 1 && b.rows() == a.rows()) {
            addColumnVectorInPlace(a, b);
        } else {
            throw ShapeMismatchException.of("broadcastAdd", "a", a.rows(), a.cols(), "b", b.rows(), b.cols());
        }
    }

    /** {@code a[i, j] += row[0, j]} for every row i: {@code (n,m) + (1,m)}. */
    public static void addRowVectorInPlace(Matrix a, Matrix row) {
        if (row.rows() != 1 || row.cols() != a.cols()) {
            throw ShapeMismatchException.of("addRowVector", "a", a.rows(), a.cols(), "row", row.rows(), row.cols());
        }
        addRowVectorInPlace(a, row.data(), 0);
    }

    /**
     * {@code a[i, j] += v[offset + j]} for every row i (raw form for a bias stored inside a flat
     * parameter buffer). Needs {@code a.cols()} entries from {@code offset}.
     */
    public static void addRowVectorInPlace(Matrix a, double[] v, int offset) {
        if (offset < 0 || offset + a.cols() > v.length) {
            throw new ShapeMismatchException("addRowVector: a=" + a.shape() + ", vector of length "
                    + v.length + " at offset " + offset);
        }
        int r = a.rows();
        double[] d = a.data();
        for (int j = 0; j < a.cols(); j++) {
            double bj = v[offset + j];
            int base = j * r;
            for (int i = 0; i < r; i++) {
                d[base + i] += bj;
            }
        }
    }

    /** {@code a[i, j] += col[i, 0]} for every column j: {@code (n,m) + (n,1)}. */
    public static void addColumnVectorInPlace(Matrix a, Matrix col) {
        if (col.cols() != 1 || col.rows() != a.rows()) {
            throw ShapeMismatchException.of("addColumnVector", "a", a.rows(), a.cols(), "col", col.rows(), col.cols());
        }
        int r = a.rows();
        double[] d = a.data();
        double[] v = col.data();
        for (int j = 0; j < a.cols(); j++) {
            int base = j * r;
            for (int i = 0; i < r; i++) {
                d[base + i] += v[i];
            }
        }
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all entries. */
    public static double sum(Matrix a) {
        double s = 0;
        double[] d = a.data();
        for (int i = 0, n = a.size(); i < n; i++) {
            s += d[i];
        }
        return s;
    }

    /** Sums down each column (over the rows; NumPy axis 0): a 1 x cols row vector. */
    public static Matrix columnSums(Matrix a) {
        Matrix out = Matrix.zeros(1, a.cols());
        addColumnSums(a, out.data(), 0);
        return out;
    }

    /** {@code out[0, j] = Σ_i a[i, j]}; {@code out} is 1 x cols. */
    public static void columnSumsInto(Matrix a, Matrix out) {
        if (out.rows() != 1 || out.cols() != a.cols()) {
            throw ShapeMismatchException.of("columnSums", "a", a.rows(), a.cols(), "out", out.rows(), out.cols());
        }
        java.util.Arrays.fill(out.data(), 0, a.cols(), 0.0);
        addColumnSums(a, out.data(), 0);
    }

    /**
     * {@code acc[offset + j] += Σ_i a[i, j]} (accumulating raw form: the bias gradient
     * {@code db += 1^T dZ} inside a flat gradient buffer).
     */
    public static void addColumnSums(Matrix a, double[] acc, int offset) {
        if (offset < 0 || offset + a.cols() > acc.length) {
            throw new ShapeMismatchException("columnSums: a=" + a.shape() + ", accumulator of length "
                    + acc.length + " at offset " + offset);
        }
        int r = a.rows();
        double[] d = a.data();
        for (int j = 0; j < a.cols(); j++) {
            double s = 0;
            int base = j * r;
            for (int i = 0; i < r; i++) {
                s += d[base + i];
            }
            acc[offset + j] += s;
        }
    }

    /** Sums along each row (over the columns; NumPy axis 1): a rows x 1 column vector. */
    public static Matrix rowSums(Matrix a) {
        Matrix out = Matrix.zeros(a.rows(), 1);
        rowSumsInto(a, out);
        return out;
    }

    /** {@code out[i, 0] = Σ_j a[i, j]}; {@code out} is rows x 1. */
    public static void rowSumsInto(Matrix a, Matrix out) {
        if (out.cols() != 1 || out.rows() != a.rows()) {
            throw ShapeMismatchException.of("rowSums", "a", a.rows(), a.cols(), "out", out.rows(), out.cols());
        }
        int r = a.rows();
        double[] d = a.data();
        double[] o = out.data();
        java.util.Arrays.fill(o, 0, r, 0.0);
        for (int j = 0; j < a.cols(); j++) {
            int base = j * r;
            for (int i = 0; i < r; i++) {
                o[i] += d[base + i];
            }
        }
    }

    /** Index of the largest entry in each row (first on ties; NaN never wins); -1 for zero columns. */
    public static int[] argmaxPerRow(Matrix a) {
        int r = a.rows();
        int[] idx = new int[r];
        double[] best = new double[r];
        java.util.Arrays.fill(idx, -1);
        java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
        double[] d = a.data();
        for (int j = 0; j < a.cols(); j++) {
            int base = j * r;
            for (int i = 0; i < r; i++) {
                double v = d[base + i];
                if (idx[i] < 0 || v > best[i]) {
                    idx[i] = j;
                    best[i] = Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
                }
            }
        }
        return idx;
    }

    /** Index of the largest entry in each column (first on ties; NaN never wins); -1 for zero rows. */
    public static int[] argmaxPerColumn(Matrix a) {
        int r = a.rows();
        int[] idx = new int[a.cols()];
        double[] d = a.data();
        for (int j = 0; j < a.cols(); j++) {
            int base = j * r;
            int bi = -1;
            double bv = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < r; i++) {
                double v = d[base + i];
                if (bi < 0 || v > bv) {
                    bi = i;
                    bv = Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
                }
            }
            idx[j] = bi;
        }
        return idx;
    }

    // ---------------------------------------------------------------- checks

    private static void requireSame(String op, Matrix a, Matrix b) {
        requireSame(op, "a", a, "b", b);
    }

    private static void requireSame(String op, String aName, Matrix a, String bName, Matrix b) {
        if (!a.sameShape(b)) {
            throw ShapeMismatchException.of(op, aName, a.rows(), a.cols(), bName, b.rows(), b.cols());
        }
    }
}
