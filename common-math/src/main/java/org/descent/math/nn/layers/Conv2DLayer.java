package org.descent.math.nn.layers;

import java.util.Arrays;
import java.util.Locale;
import org.descent.math.nn.Activation;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.Precision;

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
 * im2col + GEMM measured faster than a direct kernel (see docs/networks.md: the GEMM runs at BLAS speed, a
 * direct loop of length-n AXPYs at memory speed). With stride 1 the output positions of one patch-matrix
 * column that read one input row are consecutive, and so are their n-example runs on both sides: im2col
 * copies (and col2im adds) one run of {@code n · (valid positions)} values per (column, output row). Float32
 * is the same code on float buffers with sgemm.
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
    public Buffers newBuffers(int maxRows, Precision precision) {
        return new ConvBuffers(maxRows, precision, outH * outW, weightRows(), filters, in.size());
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
        Arrays.fill(b.dIn, 0, n * in.size(), 0.0);
        col2im(b.dPatches, b.dIn, null, null, n);
        return b.dIn;
    }

    @Override
    public float[] forward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers) {
        ConvBuffers b = (ConvBuffers) buffers;
        int rows = n * outH * outW;
        int ckk = weightRows();
        im2col(x, n, b.patches32);
        Ops.fillBias(b.out32, 0, rows, filters, params, bOff);
        Ops.gemm(false, false, rows, filters, ckk, b.patches32, 0, rows, params, wOff, ckk, true, b.out32, 0, rows);
        Ops.activationForward(act, b.out32, rows, filters);
        return b.out32;
    }

    @Override
    public float[] backward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers,
                            float[] dOut, float[] grad, boolean needInputGradient) {
        ConvBuffers b = (ConvBuffers) buffers;
        int rows = n * outH * outW;
        int ckk = weightRows();
        Ops.activationBackward(act, b.out32, dOut, rows, filters);
        Ops.gemm(true, false, ckk, filters, rows, b.patches32, 0, rows, dOut, 0, rows, true, grad, wOff, ckk);
        Ops.addColumnSums(dOut, 0, rows, filters, grad, bOff);
        if (!needInputGradient) {
            return null;
        }
        b.allocateInputGradient();
        Ops.gemm(false, true, rows, ckk, filters, dOut, 0, rows, params, wOff, ckk, false, b.dPatches32, 0, rows);
        Arrays.fill(b.dIn32, 0, n * in.size(), 0.0f);
        col2im(null, null, b.dPatches32, b.dIn32, n);
        return b.dIn32;
    }

    /** First and one-past-last output column {@code ow} whose input column {@code ow S + kw - P} is inside. */
    private int firstColumn(int kw) {
        int lo = 0;
        while (lo < outW && lo * stride + kw - padding < 0) {
            lo++;
        }
        return lo;
    }

    private int endColumn(int kw) {
        int hi = outW;
        while (hi > 0 && (hi - 1) * stride + kw - padding >= width) {
            hi--;
        }
        return hi;
    }

    /**
     * Fills the {@code n·OH·OW x C·K·K} patch matrix (leading dimension n·OH·OW) from {@code x}; both are
     * {@code double[]} or both {@code float[]} ({@code System.arraycopy} copies either).
     */
    private void im2col(Object x, int n, Object patches) {
        int rows = n * outH * outW;
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            for (int kh = 0; kh < kernel; kh++) {
                for (int kw = 0; kw < kernel; kw++) {
                    int col = ((c * kernel + kh) * kernel + kw) * rows;
                    int lo = firstColumn(kw);
                    int hi = Math.max(lo, endColumn(kw));
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * stride + kh - padding;
                        int row = col + n * oh * outW;
                        if (ih < 0 || ih >= height) {
                            zero(patches, row, row + n * outW);
                            continue;
                        }
                        zero(patches, row, row + n * lo);
                        zero(patches, row + n * hi, row + n * outW);
                        int src = n * (c * plane + ih * width + lo * stride + kw - padding);
                        if (hi == lo) {
                            continue;
                        }
                        if (stride == 1) {
                            System.arraycopy(x, src, patches, row + n * lo, n * (hi - lo));
                        } else {
                            for (int ow = lo; ow < hi; ow++) {
                                System.arraycopy(x, src + n * stride * (ow - lo), patches, row + n * ow, n);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void zero(Object a, int from, int to) {
        if (from >= to) {
            return;
        }
        if (a instanceof double[] d) {
            Arrays.fill(d, from, to, 0.0);
        } else {
            Arrays.fill((float[]) a, from, to, 0.0f);
        }
    }

    /**
     * {@code dX += Σ} over patch entries of their gradient, added back onto the source pixel (dX zeroed by
     * the caller); either the double pair or the float pair is given. The additions onto one pixel run in
     * the fixed (c, kh, kw, oh, ow) order: deterministic.
     */
    private void col2im(double[] dPatches, double[] dIn, float[] dPatches32, float[] dIn32, int n) {
        int rows = n * outH * outW;
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            for (int kh = 0; kh < kernel; kh++) {
                for (int kw = 0; kw < kernel; kw++) {
                    int col = ((c * kernel + kh) * kernel + kw) * rows;
                    int lo = firstColumn(kw);
                    int hi = endColumn(kw);
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * stride + kh - padding;
                        if (ih < 0 || ih >= height || lo >= hi) {
                            continue;
                        }
                        int src = col + n * (oh * outW + lo);
                        int dst = n * (c * plane + ih * width + lo * stride + kw - padding);
                        if (stride == 1) {
                            addRun(dPatches, dIn, dPatches32, dIn32, src, dst, n * (hi - lo));
                        } else {
                            for (int ow = lo; ow < hi; ow++) {
                                addRun(dPatches, dIn, dPatches32, dIn32, src + n * (ow - lo),
                                        dst + n * stride * (ow - lo), n);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void addRun(double[] s, double[] d, float[] s32, float[] d32, int src, int dst, int len) {
        if (s != null) {
            for (int i = 0; i < len; i++) {
                d[dst + i] += s[src + i];
            }
        } else {
            for (int i = 0; i < len; i++) {
                d32[dst + i] += s32[src + i];
            }
        }
    }

    private static final class ConvBuffers extends Buffers {
        final double[] patches;
        final double[] out;
        final float[] patches32;
        final float[] out32;
        private final int inLength;
        /** Input-side gradients: allocated on the first backward that needs them (never for a first layer). */
        double[] dPatches;
        double[] dIn;
        float[] dPatches32;
        float[] dIn32;

        ConvBuffers(int maxRows, Precision precision, int positions, int ckk, int filters, int inSize) {
            super(maxRows, precision);
            int rows = Math.multiplyExact(maxRows, positions);
            int patchLength = Math.multiplyExact(rows, ckk);
            int outLength = Math.multiplyExact(rows, filters);
            patches = doubles(patchLength);
            out = doubles(outLength);
            patches32 = floats(patchLength);
            out32 = floats(outLength);
            inLength = Math.multiplyExact(maxRows, inSize);
        }

        void allocateInputGradient() {
            if (dIn == null && dIn32 == null) {
                int patchLength = f32 ? patches32.length : patches.length;
                dPatches = doubles(patchLength);
                dIn = doubles(inLength);
                dPatches32 = floats(patchLength);
                dIn32 = floats(inLength);
            }
        }
    }
}
