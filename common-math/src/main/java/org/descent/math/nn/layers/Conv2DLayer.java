package org.descent.math.nn.layers;

import java.util.Arrays;
import java.util.Locale;
import org.descent.math.nn.Activation;
import org.descent.math.nn.ActivationKind;

/**
 * 2-D convolution (cross-correlation, as in every framework) with {@code F} filters of {@code K x K}
 * over {@code C} input channels, stride {@code S}, zero padding {@code P}, then an element-wise
 * activation. Output {@code F x OH x OW}, {@code OH = (H + 2P - K) / S + 1} (floor), same for OW.
 *
 * <p>Computed as im2col + one GEMM for the whole block. The patch matrix {@code X̂} has one row per
 * (output position p, example i), row index {@code r = i + n p}, and one column per
 * {@code q = (c K + kh) K + kw}: {@code X̂[r, q] = X[i, c, p_h S + kh - P, p_w S + kw - P]} (0 in the
 * padding). Because a block keeps each feature's n examples contiguous, every (q, p) entry run of
 * {@code X̂} is ONE {@code arraycopy} of n values, and the GEMM result {@code X̂ W} ({@code n·OH·OW x F},
 * column-major) IS the output block {@code n x (F·OH·OW)} in channel-major order: no reshuffle.
 * <ul>
 *   <li>forward: {@code Z = X̂ W + 1 b^T} ({@code W} is {@code C·K·K x F}), {@code A = act(Z)};</li>
 *   <li>backward: {@code dZ = act'(dA)}; {@code dW += X̂^T dZ}; {@code db += 1^T dZ};
 *       {@code dX̂ = dZ W^T}, then col2im adds each patch entry back onto the pixel it was copied
 *       from — the "full convolution with the rotated kernel" written as a scatter.</li>
 * </ul>
 */
final class Conv2DLayer implements Layer {
    private final Shape in;
    private final int channels;
    private final int height;
    private final int width;
    private final int filters;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int outH;
    private final int outW;
    private final Activation act;

    Conv2DLayer(Shape in, int filters, int kernel, int stride, int padding, ActivationKind activation,
                double leakySlope) {
        this.in = in;
        this.channels = in.dim(0);
        this.height = in.dim(1);
        this.width = in.dim(2);
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.outH = (height + 2 * padding - kernel) / stride + 1;
        this.outW = (width + 2 * padding - kernel) / stride + 1;
        this.act = Ops.activation(activation, leakySlope);
    }

    @Override public Shape inShape() { return in; }
    @Override public Shape outShape() { return Shape.of(filters, outH, outW); }
    @Override public int weightRows() { return channels * kernel * kernel; }
    @Override public int weightCols() { return filters; }
    @Override public int biasSize() { return filters; }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "conv2d %d filters %dx%d stride %d padding %d %s", filters, kernel, kernel,
                stride, padding, act.kind().name().toLowerCase(Locale.ROOT));
    }

    @Override
    public Buffers newBuffers(int maxRows) {
        return new ConvBuffers(maxRows, outH * outW, weightRows(), filters, in.size());
    }

    @Override
    public double[] forward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers) {
        ConvBuffers b = (ConvBuffers) buffers;
        int rows = n * outH * outW;
        int ckk = weightRows();
        im2col(x, n, b.patches);
        Ops.fillBias(b.out, 0, rows, filters, params, bOff);
        Ops.gemm(false, false, rows, filters, ckk, b.patches, 0, rows, params, wOff, ckk, true, b.out, 0, rows);
        Ops.activationForward(act, b.out, rows, filters);
        return b.out;
    }

    @Override
    public double[] backward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers,
                             double[] dOut, double[] grad, boolean needInputGradient) {
        ConvBuffers b = (ConvBuffers) buffers;
        int rows = n * outH * outW;
        int ckk = weightRows();
        Ops.activationBackward(act, b.out, dOut, rows, filters);
        Ops.gemm(true, false, ckk, filters, rows, b.patches, 0, rows, dOut, 0, rows, true, grad, wOff, ckk);
        Ops.addColumnSums(dOut, 0, rows, filters, grad, bOff);
        if (!needInputGradient) {
            return null;
        }
        b.allocateInputGradient();
        Ops.gemm(false, true, rows, ckk, filters, dOut, 0, rows, params, wOff, ckk, false, b.dPatches, 0, rows);
        col2im(b.dPatches, n, b.dIn);
        return b.dIn;
    }

    /** Fills the {@code n·OH·OW x C·K·K} patch matrix (leading dimension n·OH·OW). */
    private void im2col(double[] x, int n, double[] patches) {
        int rows = n * outH * outW;
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            for (int kh = 0; kh < kernel; kh++) {
                for (int kw = 0; kw < kernel; kw++) {
                    int col = ((c * kernel + kh) * kernel + kw) * rows;
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * stride + kh - padding;
                        for (int ow = 0; ow < outW; ow++) {
                            int iw = ow * stride + kw - padding;
                            int dst = col + n * (oh * outW + ow);
                            if (ih < 0 || ih >= height || iw < 0 || iw >= width) {
                                Arrays.fill(patches, dst, dst + n, 0.0);
                            } else {
                                System.arraycopy(x, n * (c * plane + ih * width + iw), patches, dst, n);
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code dX = Σ} over patch entries of their gradient, added back onto the source pixel. */
    private void col2im(double[] dPatches, int n, double[] dIn) {
        int rows = n * outH * outW;
        int plane = height * width;
        Arrays.fill(dIn, 0, n * in.size(), 0.0);
        for (int c = 0; c < channels; c++) {
            for (int kh = 0; kh < kernel; kh++) {
                for (int kw = 0; kw < kernel; kw++) {
                    int col = ((c * kernel + kh) * kernel + kw) * rows;
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * stride + kh - padding;
                        if (ih < 0 || ih >= height) {
                            continue;
                        }
                        for (int ow = 0; ow < outW; ow++) {
                            int iw = ow * stride + kw - padding;
                            if (iw < 0 || iw >= width) {
                                continue;
                            }
                            int src = col + n * (oh * outW + ow);
                            int dst = n * (c * plane + ih * width + iw);
                            for (int i = 0; i < n; i++) {
                                dIn[dst + i] += dPatches[src + i];
                            }
                        }
                    }
                }
            }
        }
    }

    private static final class ConvBuffers extends Buffers {
        final double[] patches;
        final double[] out;
        private final int inLength;
        /** Input-side gradients: allocated on the first backward that needs them (never for a first layer). */
        double[] dPatches;
        double[] dIn;

        ConvBuffers(int maxRows, int positions, int ckk, int filters, int inSize) {
            super(maxRows);
            int rows = Math.multiplyExact(maxRows, positions);
            patches = new double[Math.multiplyExact(rows, ckk)];
            out = new double[Math.multiplyExact(rows, filters)];
            inLength = Math.multiplyExact(maxRows, inSize);
        }

        void allocateInputGradient() {
            if (dIn == null) {
                dPatches = new double[patches.length];
                dIn = new double[inLength];
            }
        }
    }
}
