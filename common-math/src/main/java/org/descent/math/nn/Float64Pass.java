package org.descent.math.nn;

import java.util.Arrays;
import org.descent.math.Blas;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.MatrixOps;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FloatCsrMatrix;
import org.descent.math.sparse.SparseKernels;
import org.descent.math.sparse.SparseRows;

/**
 * {@link Precision#FLOAT64} primitives: {@code dgemm} straight on the caller's {@code params} and
 * input, the gradient ADDED straight into the caller's accumulator (beta = 1), no copies. A sparse
 * first-layer input runs {@link SparseKernels} on the same buffers ({@link FloatCsrMatrix} values are
 * widened into a workspace buffer first).
 */
final class Float64Pass extends LayerPass<double[]> {
    /** Input converted from a {@link FloatMatrix}; allocated on first such call. */
    private double[] inputBuf;
    /** Sparse values widened from a {@link FloatCsrMatrix}; grown on demand. */
    private double[] sparseValues = new double[0];

    Float64Pass(ParameterLayout layout, Activation[] activations, int maxRows) {
        super(layout, activations, maxRows, allocActs(layout, maxRows),
                new double[Math.multiplyExact(maxRows, widest(layout))],
                new double[Math.multiplyExact(maxRows, widest(layout))], true);
    }

    private static double[][] allocActs(ParameterLayout layout, int maxRows) {
        double[][] acts = new double[layout.numLayers()][];
        for (int l = 0; l < acts.length; l++) {
            acts[l] = new double[Math.multiplyExact(maxRows, layout.layers().get(l).out())];
        }
        return acts;
    }

    @Override
    Precision precision() { return Precision.FLOAT64; }

    @Override
    void gemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int offA, int lda,
              double[] b, int offB, int ldb, boolean accumulate, double[] c, int offC, int ldc) {
        Blas.gemm(transA, transB, m, n, k, 1.0, a, offA, lda, b, offB, ldb, accumulate ? 1.0 : 0.0, c, offC, ldc);
    }

    @Override
    void fillColumns(double[] buf, int n, int cols, double[] w, int off) {
        for (int j = 0; j < cols; j++) {
            Arrays.fill(buf, j * n, (j + 1) * n, w[off + j]);
        }
    }

    @Override
    void columnSums(double[] src, int n, int cols, double[] dst, int off, boolean accumulate) {
        if (!accumulate) {
            Arrays.fill(dst, off, off + cols, 0.0);
        }
        MatrixOps.addColumnSums(Matrix.wrap(n, cols, src), dst, off);
    }

    @Override
    void activationForward(int layer, double[] z, int n, int cols) {
        activations[layer].forwardInPlace(Matrix.wrap(n, cols, z));
    }

    @Override
    void activationBackward(int layer, double[] a, double[] grad, int n, int cols) {
        activations[layer].backwardInPlace(Matrix.wrap(n, cols, a), Matrix.wrap(n, cols, grad));
    }

    @Override
    double[] weights(double[] params, LayerInput<double[]> x) { return params; }

    @Override
    LayerInput<double[]> input(Matrix x) { return dense(x.data(), x.rows()); }

    @Override
    LayerInput<double[]> input(FloatMatrix x) {
        if (inputBuf == null) {
            inputBuf = new double[Math.multiplyExact(maxRows, layout.layers().get(0).in())];
        }
        FloatMatrix.toDouble(x.data(), 0, inputBuf, 0, x.size());
        return dense(inputBuf, x.rows());
    }

    @Override
    LayerInput<double[]> input(SparseRows x) {
        CsrMatrix csr;
        if (x instanceof CsrMatrix c) {
            csr = c;
        } else {
            FloatCsrMatrix f = (FloatCsrMatrix) x;
            int end = f.rowPtr()[f.rows()];
            if (sparseValues.length < end) {
                sparseValues = new double[Math.max(end, sparseValues.length * 2)];
            }
            for (int p = f.rowPtr()[0]; p < end; p++) {
                sparseValues[p] = f.values()[p];
            }
            csr = new CsrMatrix(f.rows(), f.cols(), f.rowPtr(), f.colIdx(), sparseValues);
        }
        return new SparseInput(csr);
    }

    /** A sparse X: both first-layer products by {@link SparseKernels}. */
    private record SparseInput(CsrMatrix x) implements LayerInput<double[]> {
        @Override
        public boolean sparse() { return true; }

        @Override
        public void multiplyAdd(double[] w, int wOff, int in, int out, double[] z) {
            SparseKernels.multiplyAdd(x, out, w, wOff, in, z, 0, x.rows());
        }

        @Override
        public void transposeMultiply(double[] dz, int out, double[] grad, int gOff, boolean accumulate) {
            if (!accumulate) {
                Arrays.fill(grad, gOff, gOff + Math.multiplyExact(x.cols(), out), 0.0);
            }
            SparseKernels.transposeMultiplyAdd(x, out, dz, 0, x.rows(), grad, gOff, x.cols());
        }
    }

    @Override
    double loss(Loss loss, double[] out, int n, int k, Targets y, boolean withGradient) {
        return loss.sumAndGradient(Matrix.wrap(n, k, out), y, withGradient ? Matrix.wrap(n, k, deltaA) : null);
    }

    @Override
    Matrix output(double[] out, int n, int k) { return Matrix.wrap(n, k, out); }

    @Override
    double[] gradientBuffer(double[] gradAcc) { return gradAcc; }

    @Override
    void commitGradient(double[] grad, double[] gradAcc, boolean assign) {
        // backward added into gradAcc directly
    }
}
