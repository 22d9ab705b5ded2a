package org.descent.math.nn;

import org.descent.math.Blas;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FloatCsrMatrix;
import org.descent.math.sparse.SparseKernels;
import org.descent.math.sparse.SparseRows;

/**
 * {@link Precision#FLOAT32} primitives: {@code sgemm} on float buffers. Per call, O(params) glue
 * around the float pass:
 * <ol>
 *   <li>the double {@code params} are rounded into a float copy (refreshed on EVERY call: the
 *       optimizer updates the masters in place between calls);</li>
 *   <li>a double input block is rounded into a float buffer ({@link FloatMatrix} input is used as is);</li>
 *   <li>the loss runs on the float logits widened to double (exact) through the double {@link Loss}
 *       (max-subtracted softmax, stable BCE, target validation — O(n k), shared with FLOAT64), so the
 *       summed loss is accumulated in double; its gradient ∂S/∂A_L is rounded to float;</li>
 *   <li>backward writes dW/db ONCE each into a float scratch gradient (beta = 0, no zeroing needed),
 *       which is then added to the caller's double accumulator (or, for {@link Network#gradientSum}, written
 *       over the caller's buffer as {@code 0.0 + g}: the same bits without zero-filling it first).</li>
 * </ol>
 * A sparse first-layer input changes steps 1 and 4 for {@code W_1} only: {@code X W_1} rounds the
 * weights of the double parameters as it reads them (so {@code W_1}, the largest block of a wide
 * model, is never copied), and {@code X^T dZ_1} adds straight into the caller's double accumulator
 * (touching only the features present); the rest of the parameters go through the float copy.
 */
final class Float32Pass extends LayerPass<float[]> {
    private final float[] weights;
    private final float[] grad;
    /** Dense input rounded to float; allocated on first such call (a wide sparse model never needs it). */
    private float[] inputBuf;
    /** Sparse values rounded from a {@link CsrMatrix}; grown on demand. */
    private float[] sparseValues = new float[0];
    /** This call's double parameters and accumulator, read/written directly by a sparse first layer. */
    private double[] masters;
    private double[] accumulator;
    /** Whether this call's W_1 gradient went straight into {@link #accumulator} (skip it when committing). */
    private boolean firstLayerDirect;
    /** Output widened to double, and the loss gradient in double: maxRows x outputSize each. */
    private final double[] outD;
    private final double[] gradD;

    Float32Pass(ParameterLayout layout, Activation[] activations, int maxRows) {
        super(layout, activations, maxRows, allocActs(layout, maxRows),
                new float[Math.multiplyExact(maxRows, widest(layout))],
                new float[Math.multiplyExact(maxRows, widest(layout))], false);
        this.weights = new float[layout.size()];
        this.grad = new float[layout.size()];
        int k = layout.layers().get(layout.numLayers() - 1).out();
        this.outD = new double[Math.multiplyExact(maxRows, k)];
        this.gradD = new double[outD.length];
    }

    private static float[][] allocActs(ParameterLayout layout, int maxRows) {
        float[][] acts = new float[layout.numLayers()][];
        for (int l = 0; l < acts.length; l++) {
            acts[l] = new float[Math.multiplyExact(maxRows, layout.layers().get(l).out())];
        }
        return acts;
    }

    @Override
    Precision precision() { return Precision.FLOAT32; }

    @Override
    void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int offA, int lda,
              float[] b, int offB, int ldb, boolean accumulate, float[] c, int offC, int ldc) {
        Blas.sgemm(transA, transB, m, n, k, 1.0f, a, offA, lda, b, offB, ldb, accumulate ? 1.0f : 0.0f, c, offC, ldc);
    }

    @Override
    void fillColumns(float[] buf, int n, int cols, float[] w, int off) {
        for (int j = 0; j < cols; j++) {
            java.util.Arrays.fill(buf, j * n, (j + 1) * n, w[off + j]);
        }
    }

    /** Column sums accumulate in double per column, then round once. */
    @Override
    void columnSums(float[] src, int n, int cols, float[] dst, int off, boolean accumulate) {
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int i = j * n, end = i + n; i < end; i++) {
                s += src[i];
            }
            dst[off + j] = accumulate ? (float) (dst[off + j] + s) : (float) s;
        }
    }

    @Override
    void activationForward(int layer, float[] z, int n, int cols) {
        activations[layer].forwardInPlace(z, n, cols);
    }

    @Override
    void activationBackward(int layer, float[] a, float[] g, int n, int cols) {
        activations[layer].backwardInPlace(a, g, n, cols);
    }

    @Override
    float[] weights(double[] params, LayerInput<float[]> x) {
        masters = params;
        firstLayerDirect = x.sparse();
        if (firstLayerDirect) {
            int from = firstWeightsEnd();
            FloatMatrix.toFloat(params, from, weights, from, weights.length - from);
        } else {
            FloatMatrix.toFloat(params, 0, weights, 0, weights.length);
        }
        return weights;
    }

    /** End of {@code W_1} in the flat layout (it starts at offset 0). */
    private int firstWeightsEnd() {
        return layout.weightOffset(0) + layout.weight(0).length();
    }

    @Override
    LayerInput<float[]> input(Matrix x) {
        if (inputBuf == null) {
            inputBuf = new float[Math.multiplyExact(maxRows, layout.layers().get(0).in())];
        }
        FloatMatrix.toFloat(x.data(), 0, inputBuf, 0, x.size());
        return dense(inputBuf, x.rows());
    }

    @Override
    LayerInput<float[]> input(FloatMatrix x) { return dense(x.data(), x.rows()); }

    @Override
    LayerInput<float[]> input(SparseRows x) {
        FloatCsrMatrix f;
        if (x instanceof FloatCsrMatrix fx) {
            f = fx;
        } else {
            CsrMatrix c = (CsrMatrix) x;
            int end = c.rowPtr()[c.rows()];
            if (sparseValues.length < end) {
                sparseValues = new float[Math.max(end, sparseValues.length * 2)];
            }
            for (int p = c.rowPtr()[0]; p < end; p++) {
                sparseValues[p] = (float) c.values()[p];
            }
            f = new FloatCsrMatrix(c.rows(), c.cols(), c.rowPtr(), c.colIdx(), sparseValues);
        }
        return new SparseInput(f);
    }

    /** A sparse X: products against the double masters and into the double accumulator (see the class note). */
    private final class SparseInput implements LayerInput<float[]> {
        private final FloatCsrMatrix x;

        SparseInput(FloatCsrMatrix x) {
            this.x = x;
        }

        @Override
        public boolean sparse() { return true; }

        @Override
        public void multiplyAdd(float[] w, int wOff, int in, int out, float[] z) {
            SparseKernels.multiplyAdd(x, out, masters, wOff, in, z, 0, x.rows());
        }

        @Override
        public void transposeMultiply(float[] dz, int out, float[] g, int gOff, boolean accumulate) {
            SparseKernels.transposeMultiplyAdd(x, out, dz, 0, x.rows(), accumulator, gOff, x.cols());
        }
    }

    @Override
    double loss(Loss loss, float[] out, int n, int k, Targets y, boolean withGradient) {
        int len = n * k;
        FloatMatrix.toDouble(out, 0, outD, 0, len);
        double sum = loss.sumAndGradient(Matrix.wrap(n, k, outD), y, withGradient ? Matrix.wrap(n, k, gradD) : null);
        if (withGradient) {
            FloatMatrix.toFloat(gradD, 0, deltaA, 0, len);
        }
        return sum;
    }

    @Override
    Matrix output(float[] out, int n, int k) {
        FloatMatrix.toDouble(out, 0, outD, 0, n * k);
        return Matrix.wrap(n, k, outD);
    }

    /** The float gradient straight into the caller's buffer (backward overwrites every entry once), at its weights. */
    @Override
    double gradientSumAt(Loss lossFn, float[] w, FloatMatrix x, Targets y, float[] gradOut, int size) {
        if (x.rows() == 0) {
            java.util.Arrays.fill(gradOut, 0, size, 0.0f);
            return 0.0;
        }
        return lossAndGradientAt(lossFn, w, input(x), x.rows(), y, gradOut);
    }

    @Override
    float[] gradientBuffer(double[] gradAcc) {
        accumulator = gradAcc;
        return grad;
    }

    @Override
    void commitGradient(float[] g, double[] gradAcc, boolean assign) {
        if (assign) { // 0.0 + g: the bits of adding g to a zero-filled accumulator (-0.0 becomes +0.0 there too)
            for (int i = 0; i < g.length; i++) {
                gradAcc[i] = 0.0 + g[i];
            }
            return;
        }
        for (int i = firstLayerDirect ? firstWeightsEnd() : 0; i < g.length; i++) {
            gradAcc[i] += g[i];
        }
    }
}
