package org.descent.math.nn;

import org.descent.math.Blas;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;

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
 *       which is then added to the caller's double accumulator.</li>
 * </ol>
 */
final class Float32Pass extends LayerPass<float[]> {
    private final float[] weights;
    private final float[] grad;
    private final float[] inputBuf;
    /** Output widened to double, and the loss gradient in double: maxRows x outputSize each. */
    private final double[] outD;
    private final double[] gradD;

    Float32Pass(ParameterLayout layout, Activation[] activations, int maxRows) {
        super(layout, activations, maxRows, allocActs(layout, maxRows),
                new float[Math.multiplyExact(maxRows, widest(layout))],
                new float[Math.multiplyExact(maxRows, widest(layout))], false);
        this.weights = new float[layout.size()];
        this.grad = new float[layout.size()];
        this.inputBuf = new float[Math.multiplyExact(maxRows, layout.layers().get(0).in())];
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
    float[] weights(double[] params) {
        FloatMatrix.toFloat(params, 0, weights, 0, weights.length);
        return weights;
    }

    @Override
    float[] input(Matrix x) {
        FloatMatrix.toFloat(x.data(), 0, inputBuf, 0, x.size());
        return inputBuf;
    }

    @Override
    float[] input(FloatMatrix x) { return x.data(); }

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

    @Override
    float[] gradientBuffer(double[] gradAcc) { return grad; }

    @Override
    void commitGradient(float[] g, double[] gradAcc) {
        for (int i = 0; i < g.length; i++) {
            gradAcc[i] += g[i];
        }
    }
}
