package org.descent.math.nn;

import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.sparse.SparseRows;

/**
 * The buffers of one {@link Network.Workspace} and the network's layer loop, written ONCE over the
 * buffer type {@code B} ({@code double[]} for {@link Float64Pass}, {@code float[]} for
 * {@link Float32Pass}). Subclasses supply the numeric primitives (GEMM, bias broadcast, column sums,
 * activations) and the boundary conversions (parameters, input, loss, gradient hand-back); the
 * order of operations, shapes and offsets live only here.
 *
 * <p>Maths, with {@code n} rows, {@code A_0 = X}, layers {@code l = 1..L} (see {@link Network}):
 * forward {@code Z_l = A_{l-1} W_l + 1 b_l^T}, {@code A_l = act_l(Z_l)} in place; loss and
 * {@code G = ∂S/∂A_L}; backward {@code dZ_l = act_l'(G)}, {@code dW_l = A_{l-1}^T dZ_l},
 * {@code db_l = 1^T dZ_l}, {@code G = dZ_l W_l^T}.
 *
 * <p>The first layer's input X is a {@link LayerInput}: a dense column-major B (the GEMMs below) or a
 * sparse block (sparse x dense kernels, see {@link org.descent.math.sparse.SparseKernels}); only
 * {@code Z_1 = X W_1} and {@code dW_1 (+)= X^T dZ_1} depend on which. Deeper layers always see dense
 * activations.
 *
 * <p>Call order per entry point: {@link #input} → {@link #weights} → {@link #forward} → loss →
 * {@link #backward} into {@link #gradientBuffer} → {@link #commitGradient}. Not thread-safe.
 */
abstract class LayerPass<B> extends BlockPass {
    final ParameterLayout layout;
    final Activation[] activations;
    final int maxRows;
    /** Per-layer activations {@code A_l}, {@code maxRows * out_l} each. */
    final B[] acts;
    /** Ping-pong buffers for dZ / dA, {@code maxRows * max_l out_l} each. */
    final B deltaA;
    final B deltaB;
    /**
     * Whether {@link #backward} ADDS {@code dW}/{@code db} into the gradient buffer (true: it is the
     * caller's accumulator) or OVERWRITES them (false: a scratch buffer in which every entry is
     * written exactly once per pass, then added by {@link #commitGradient}).
     */
    private final boolean gradientAccumulates;

    LayerPass(ParameterLayout layout, Activation[] activations, int maxRows, B[] acts, B deltaA, B deltaB,
              boolean gradientAccumulates) {
        this.layout = layout;
        this.activations = activations;
        this.maxRows = maxRows;
        this.acts = acts;
        this.deltaA = deltaA;
        this.deltaB = deltaB;
        this.gradientAccumulates = gradientAccumulates;
    }

    @Override
    final int maxRows() { return maxRows; }

    // ---------------------------------------------------------------- numeric primitives on B

    /** {@code c = op(a) op(b) + (accumulate ? c : 0)}, column-major regions (see {@code Blas.gemm}). */
    abstract void gemm(boolean transA, boolean transB, int m, int n, int k, B a, int offA, int lda,
                       B b, int offB, int ldb, boolean accumulate, B c, int offC, int ldc);

    /** Column j of the {@code n x cols} matrix in {@code buf} := {@code w[off + j]} (bias broadcast). */
    abstract void fillColumns(B buf, int n, int cols, B w, int off);

    /** {@code dst[off + j] (+)= Σ_i src[i + j n]}: adds when {@code accumulate}, else overwrites. */
    abstract void columnSums(B src, int n, int cols, B dst, int off, boolean accumulate);

    abstract void activationForward(int layer, B z, int n, int cols);

    abstract void activationBackward(int layer, B a, B grad, int n, int cols);

    // ---------------------------------------------------------------- boundary conversions

    /**
     * The weights to compute with: {@code params} itself, or a copy refreshed from it (a copy may skip
     * {@code W_1} when {@code x} reads the first layer's weights itself, see {@link LayerInput#sparse}).
     */
    abstract B weights(double[] params, LayerInput<B> x);

    /** The input block (column-major, leading dimension n): wrapped or converted. */
    abstract LayerInput<B> input(Matrix x);

    abstract LayerInput<B> input(FloatMatrix x);

    /** A sparse input block: values used as they are or converted into a workspace buffer. */
    abstract LayerInput<B> input(SparseRows x);

    /** Σ loss over the n x k output, and (if {@code withGradient}) ∂S/∂A_L written into {@link #deltaA}. */
    abstract double loss(Loss loss, B out, int n, int k, Targets y, boolean withGradient);

    /** The n x k output as a double {@link Matrix} (a view or a conversion into a workspace buffer). */
    abstract Matrix output(B out, int n, int k);

    /** The buffer {@link #backward} writes dW/db into (the caller's accumulator or a scratch buffer). */
    abstract B gradientBuffer(double[] gradAcc);

    /**
     * Adds the scratch gradient into the caller's accumulator (nothing to do when it IS the accumulator); with
     * {@code assign} (only when {@link #backward} wrote every entry of the scratch gradient, i.e. not
     * {@link #gradientAccumulates} and a dense input) it writes {@code gradAcc[i] = 0.0 + g[i]} instead: the bits the
     * addition gives on a zero-filled accumulator, without the fill and the read.
     */
    abstract void commitGradient(B grad, double[] gradAcc, boolean assign);

    // ---------------------------------------------------------------- the layer loop

    // Entry points (shapes already checked by Network; n = x.rows() > 0 except for predict).

    final double lossAndGradientSum(Loss lossFn, double[] params, Matrix x, Targets y, double[] gradAcc) {
        return lossAndGradientSum(lossFn, params, input(x), x.rows(), y, gradAcc);
    }

    final double lossAndGradientSum(Loss lossFn, double[] params, FloatMatrix x, Targets y, double[] gradAcc) {
        return lossAndGradientSum(lossFn, params, input(x), x.rows(), y, gradAcc);
    }

    final double lossAndGradientSum(Loss lossFn, double[] params, SparseRows x, Targets y, double[] gradAcc) {
        return lossAndGradientSum(lossFn, params, input(x), x.rows(), y, gradAcc);
    }

    @Override
    final double gradientSum(Loss lossFn, double[] params, Matrix x, Targets y, double[] gradOut, int size) {
        return gradientSum(lossFn, params, input(x), x.rows(), y, gradOut, size);
    }

    @Override
    final double gradientSum(Loss lossFn, double[] params, FloatMatrix x, Targets y, double[] gradOut, int size) {
        return gradientSum(lossFn, params, input(x), x.rows(), y, gradOut, size);
    }

    final double lossSum(Loss lossFn, double[] params, Matrix x, Targets y) {
        return lossSum(lossFn, params, input(x), x.rows(), y);
    }

    final double lossSum(Loss lossFn, double[] params, FloatMatrix x, Targets y) {
        return lossSum(lossFn, params, input(x), x.rows(), y);
    }

    final double lossSum(Loss lossFn, double[] params, SparseRows x, Targets y) {
        return lossSum(lossFn, params, input(x), x.rows(), y);
    }

    final Matrix predict(Loss lossFn, double[] params, Matrix x) {
        return predict(lossFn, params, input(x), x.rows());
    }

    final Matrix predict(Loss lossFn, double[] params, FloatMatrix x) {
        return predict(lossFn, params, input(x), x.rows());
    }

    final Matrix predict(Loss lossFn, double[] params, SparseRows x) {
        return predict(lossFn, params, input(x), x.rows());
    }

    @Override
    final Scored lossSumAndPredict(Loss lossFn, double[] params, Matrix x, Targets y) {
        return lossSumAndPredict(lossFn, params, input(x), x.rows(), y);
    }

    @Override
    final Scored lossSumAndPredict(Loss lossFn, double[] params, FloatMatrix x, Targets y) {
        return lossSumAndPredict(lossFn, params, input(x), x.rows(), y);
    }

    @Override
    final Scored lossSumAndPredict(Loss lossFn, double[] params, SparseRows x, Targets y) {
        return lossSumAndPredict(lossFn, params, input(x), x.rows(), y);
    }

    private double lossAndGradientSum(Loss lossFn, double[] params, LayerInput<B> x, int n, Targets y,
                                      double[] gradAcc) {
        return lossAndGradientSum(lossFn, params, x, n, y, gradAcc, false);
    }

    /**
     * The gradient of the summed loss written over {@code gradOut[0, size)}: assigned from the scratch gradient when
     * {@link #backward} writes every entry of it once (see {@link #commitGradient}), else zero-filled and added to.
     */
    private double gradientSum(Loss lossFn, double[] params, LayerInput<B> x, int n, Targets y, double[] gradOut,
                               int size) {
        boolean assign = !gradientAccumulates && !x.sparse() && n > 0;
        if (!assign) {
            java.util.Arrays.fill(gradOut, 0, size, 0.0);
        }
        return n == 0 ? 0.0 : lossAndGradientSum(lossFn, params, x, n, y, gradOut, assign);
    }

    private double lossAndGradientSum(Loss lossFn, double[] params, LayerInput<B> x, int n, Targets y,
                                      double[] gradAcc, boolean assign) {
        B grad = gradientBuffer(gradAcc);
        double sum = lossAndGradient(lossFn, params, x, n, y, grad);
        commitGradient(grad, gradAcc, assign);
        return sum;
    }

    /**
     * Forward, loss and backward of n > 0 rows: dW/db written into {@code grad} (added when
     * {@link #gradientAccumulates}, else every entry overwritten once); returns the summed loss.
     */
    final double lossAndGradient(Loss lossFn, double[] params, LayerInput<B> x, int n, Targets y, B grad) {
        return lossAndGradientAt(lossFn, weights(params, x), x, n, y, grad);
    }

    /** {@link #lossAndGradient} at weights already in the pass's type (e.g. a caller's float copy). */
    final double lossAndGradientAt(Loss lossFn, B w, LayerInput<B> x, int n, Targets y, B grad) {
        B out = forward(w, x, n);
        int last = activations.length - 1;
        int k = layout.layers().get(last).out();
        double sum = loss(lossFn, out, n, k, y, true);
        activationBackward(last, out, deltaA, n, k);
        backward(w, x, n, grad);
        return sum;
    }

    private double lossSum(Loss lossFn, double[] params, LayerInput<B> x, int n, Targets y) {
        B out = forward(weights(params, x), x, n);
        return loss(lossFn, out, n, layout.layers().get(activations.length - 1).out(), y, false);
    }

    private Matrix predict(Loss lossFn, double[] params, LayerInput<B> x, int n) {
        B out = forward(weights(params, x), x, n);
        Matrix m = output(out, n, layout.layers().get(activations.length - 1).out());
        lossFn.predictInPlace(m);
        return m;
    }

    /**
     * {@link #lossSum} and {@link #predict} from ONE forward pass: the loss reads {@code A_L} (no gradient, so it
     * leaves {@code A_L} as it is), then the output mapping runs in place on it; the same bits as the two calls,
     * which would each run the same forward pass on the same input.
     */
    private Scored lossSumAndPredict(Loss lossFn, double[] params, LayerInput<B> x, int n, Targets y) {
        B out = forward(weights(params, x), x, n);
        int k = layout.layers().get(activations.length - 1).out();
        double sum = n == 0 ? 0.0 : loss(lossFn, out, n, k, y, false);
        Matrix m = output(out, n, k);
        lossFn.predictInPlace(m);
        return new Scored(sum, m);
    }

    /** Forward pass over n rows; returns {@code A_L} (a workspace buffer). */
    private B forward(B w, LayerInput<B> x, int n) {
        B prev = null;
        for (int l = 0; l < activations.length; l++) {
            LayerSpec s = layout.layers().get(l);
            B buf = acts[l];
            fillColumns(buf, n, s.out(), w, layout.biasOffset(l));
            if (l == 0) {
                x.multiplyAdd(w, layout.weightOffset(0), s.in(), s.out(), buf);
            } else {
                gemm(false, false, n, s.out(), s.in(), prev, 0, n, w, layout.weightOffset(l), s.in(), true, buf, 0, n);
            }
            activationForward(l, buf, n, s.out());
            prev = buf;
        }
        return prev;
    }

    /** Backward pass; on entry {@link #deltaA} holds dZ_L and {@link #acts} the forward activations. */
    private void backward(B w, LayerInput<B> x, int n, B grad) {
        B cur = deltaA;
        B other = deltaB;
        for (int l = activations.length - 1; l >= 0; l--) {
            LayerSpec s = layout.layers().get(l);
            B prev = l == 0 ? null : acts[l - 1];
            int wOff = layout.weightOffset(l);
            // dW_l (+)= A_{l-1}^T dZ_l  (in x n)(n x out)
            if (l == 0) {
                x.transposeMultiply(cur, s.out(), grad, wOff, gradientAccumulates);
            } else {
                gemm(true, false, s.in(), s.out(), n, prev, 0, n, cur, 0, n, gradientAccumulates, grad, wOff, s.in());
            }
            // db_l (+)= 1^T dZ_l
            columnSums(cur, n, s.out(), grad, layout.biasOffset(l), gradientAccumulates);
            if (l > 0) {
                // dA_{l-1} = dZ_l W_l^T  (n x out)(out x in)
                gemm(false, true, n, s.in(), s.out(), cur, 0, n, w, wOff, s.in(), false, other, 0, n);
                activationBackward(l - 1, prev, other, n, s.in());
                B t = cur;
                cur = other;
                other = t;
            }
        }
    }

    /**
     * The first layer's input X ({@code n x in}) for one call: what {@code Z_1 = X W_1} and
     * {@code dW_1 = X^T dZ_1} run on. Made by {@link #input}; valid for that call only.
     */
    interface LayerInput<B> {
        /** True when X is a sparse block (its products read {@code W_1} from the double parameters themselves). */
        boolean sparse();

        /** {@code z (n x out, ld n) += X W_1} with {@code W_1} at {@code w[wOff]}, leading dimension {@code in}. */
        void multiplyAdd(B w, int wOff, int in, int out, B z);

        /** {@code dW_1} at {@code grad[gOff]} (ld {@code in}) {@code (+)= X^T dz}: adds when {@code accumulate}, else overwrites. */
        void transposeMultiply(B dz, int out, B grad, int gOff, boolean accumulate);
    }

    /** A dense column-major X (leading dimension n): both products are GEMMs, exactly as for deeper layers. */
    final LayerInput<B> dense(B x, int n) {
        return new LayerInput<>() {
            @Override
            public boolean sparse() { return false; }

            @Override
            public void multiplyAdd(B w, int wOff, int in, int out, B z) {
                gemm(false, false, n, out, in, x, 0, n, w, wOff, in, true, z, 0, n);
            }

            @Override
            public void transposeMultiply(B dz, int out, B grad, int gOff, boolean accumulate) {
                gemm(true, false, layout.layers().get(0).in(), out, n, x, 0, n, dz, 0, n, accumulate, grad, gOff,
                        layout.layers().get(0).in());
            }
        };
    }

    /** {@code max_l out_l}. */
    static int widest(ParameterLayout layout) {
        int widest = 0;
        for (LayerSpec s : layout.layers()) {
            widest = Math.max(widest, s.out());
        }
        return widest;
    }
}
