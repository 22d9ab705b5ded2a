package org.descent.math;

import breeze.linalg.DenseMatrix;
import breeze.linalg.DenseVector;
import breeze.linalg.operators.HasOps$;
import java.util.ArrayList;
import java.util.List;
import org.descent.math.nn.ParameterLayout;

/**
 * descent's arrays as Breeze {@code DenseMatrix}/{@code DenseVector} views, and the linear algebra
 * Breeze provides. Breeze 2.1.0 from Java: the element type erases to {@code Object}; the data array is
 * the {@code double[]} (or {@code float[]}) itself, so a view never copies and writes go through both ways.
 *
 * <p>As in Spark's {@code ml.ann}: a model's parameters are one flat array, each layer's weights a
 * column-major Breeze matrix over a slice of it ({@link #weights}), and the hot products run BLAS in
 * place on those arrays ({@link Blas}, or {@link #gemm} for Breeze views) instead of Breeze's allocating
 * operators. Breeze's operators are used where nothing is hot: solves ({@link #solve}, {@link #leastSquares}).
 */
public final class BreezeInterop {
    private BreezeInterop() {}

    /** A Breeze view of {@code m}'s array (no copy). Same as {@link Matrix#asBreeze()}. */
    public static DenseMatrix<Object> toBreeze(Matrix m) {
        return m.asBreeze();
    }

    /**
     * A {@link Matrix} over a Breeze matrix. Compact, untransposed matrices (offset 0, major stride
     * = rows) are wrapped without copying; any other view is copied into a new compact matrix.
     *
     * @throws IllegalArgumentException if the Breeze matrix does not hold doubles
     */
    public static Matrix fromBreeze(DenseMatrix<?> b) {
        double[] data = doubles(b.data(), "fromBreeze");
        int rows = b.rows();
        int cols = b.cols();
        if (!b.isTranspose() && b.offset() == 0 && (b.majorStride() == rows || cols <= 1)) {
            return Matrix.wrap(rows, cols, data);
        }
        Matrix out = Matrix.zeros(rows, cols);
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                int idx = b.isTranspose()
                        ? b.offset() + j + i * b.majorStride()
                        : b.offset() + i + j * b.majorStride();
                out.set(i, j, data[idx]);
            }
        }
        return out;
    }

    /** A Breeze vector view of {@code values} (no copy). */
    public static DenseVector<Object> toBreezeVector(double[] values) {
        return new DenseVector<>(values);
    }

    /** Copies a Breeze vector of doubles into a new array (honours offset and stride). */
    public static double[] fromBreezeVector(DenseVector<?> v) {
        double[] data = doubles(v.data(), "fromBreezeVector");
        double[] out = new double[v.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[v.offset() + i * v.stride()];
        }
        return out;
    }

    /**
     * Layer {@code l}'s weights as a {@code in x out} Breeze matrix over {@code params} (column-major at
     * the layout's weight offset; no copy: updating the view updates the parameters), for every layer with
     * weights, in layer order. Layers without parameters (pooling, flatten) are left out.
     */
    public static List<DenseMatrix<Object>> weights(ParameterLayout layout, double[] params) {
        requireLength(layout, params);
        List<DenseMatrix<Object>> out = new ArrayList<>();
        for (ParameterLayout.Segment s : layout.segments()) {
            if (s.kind() == ParameterLayout.Kind.WEIGHT && s.length() > 0) {
                out.add(new DenseMatrix<>(s.rows(), s.cols(), params, s.offset(), Math.max(1, s.rows()), false));
            }
        }
        return out;
    }

    /** Each layer's bias as a Breeze vector over {@code params} (no copy), matching {@link #weights}. */
    public static List<DenseVector<Object>> biases(ParameterLayout layout, double[] params) {
        requireLength(layout, params);
        List<DenseVector<Object>> out = new ArrayList<>();
        for (ParameterLayout.Segment s : layout.segments()) {
            if (s.kind() == ParameterLayout.Kind.BIAS && s.length() > 0) {
                out.add(new DenseVector<>(params, s.offset(), 1, s.length()));
            }
        }
        return out;
    }

    /**
     * {@code c = alpha * a * b + beta * c} on Breeze views, in place through {@link Blas} (netlib dgemm on
     * the views' arrays, offsets and strides; transposed views become BLAS transposes). Like Spark's
     * {@code BreezeUtil.dgemm}: no result matrix is allocated.
     *
     * @throws ShapeMismatchException naming both shapes when a's columns differ from b's rows or c is not a x b
     */
    public static void gemm(double alpha, DenseMatrix<Object> a, DenseMatrix<Object> b, double beta,
                            DenseMatrix<Object> c) {
        if (a.cols() != b.rows()) {
            throw ShapeMismatchException.of("gemm", "a", a.rows(), a.cols(), "b", b.rows(), b.cols());
        }
        if (c.rows() != a.rows() || c.cols() != b.cols()) {
            throw ShapeMismatchException.of("gemm", "a*b", a.rows(), b.cols(), "c", c.rows(), c.cols());
        }
        if (c.isTranspose()) {
            throw new IllegalArgumentException("gemm: the output c must not be a transposed view");
        }
        Blas.gemm(a.isTranspose(), b.isTranspose(), a.rows(), b.cols(), a.cols(), alpha,
                doubles(a.data(), "gemm a"), a.offset(), a.majorStride(), doubles(b.data(), "gemm b"), b.offset(),
                b.majorStride(), beta, doubles(c.data(), "gemm c"), c.offset(), c.majorStride());
    }

    /** Solves {@code a x = b} for square {@code a} with Breeze ({@code a \ b}: LAPACK LU). Inputs are not modified. */
    public static double[] solve(Matrix a, double[] b) {
        if (a.rows() != a.cols() || b.length != a.rows()) {
            throw ShapeMismatchException.of("solve", "a", a.rows(), a.cols(), "b", b.length, 1);
        }
        DenseVector<Object> x = HasOps$.MODULE$.impl_OpSolveMatrixBy_DMD_DVD_eq_DVD()
                .apply(a.copy().asBreeze(), toBreezeVector(b.clone()));
        return fromBreezeVector(x);
    }

    /**
     * The least-squares {@code theta} minimising {@code |x theta - y|^2} from the normal equations
     * {@code (x^T x) theta = x^T y}: {@code x^T x} and {@code x^T y} by BLAS, the solve by Breeze.
     */
    public static double[] leastSquares(Matrix x, double[] y) {
        if (y.length != x.rows()) {
            throw ShapeMismatchException.of("leastSquares", "x", x.rows(), x.cols(), "y", y.length, 1);
        }
        Matrix xtx = Matrix.zeros(x.cols(), x.cols());
        Blas.gemm(true, false, 1.0, x, x, 0.0, xtx);
        Matrix xty = Matrix.zeros(x.cols(), 1);
        Blas.gemm(true, false, 1.0, x, Matrix.wrap(y.length, 1, y), 0.0, xty);
        return solve(xtx, xty.data());
    }

    private static double[] doubles(Object data, String what) {
        if (!(data instanceof double[] d)) {
            throw new IllegalArgumentException(what + ": expected a Breeze matrix/vector of doubles, got data of "
                    + data.getClass().getSimpleName());
        }
        return d;
    }

    private static void requireLength(ParameterLayout layout, double[] params) {
        if (params.length != layout.size()) {
            throw new IllegalArgumentException("params has " + params.length + " entries but the layout has "
                    + layout.size() + " (" + layout + ")");
        }
    }
}
