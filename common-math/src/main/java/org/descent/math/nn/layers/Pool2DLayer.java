package org.descent.math.nn.layers;

import java.util.Arrays;
import java.util.Locale;
import org.descent.math.nn.Precision;

/**
 * Max or average pooling over {@code size x size} windows with a stride (default {@code size}), per
 * channel, no padding: output {@code C x OH x OW}, {@code OH = (H - size) / stride + 1} (floor; a
 * partial window at the edge is dropped, as in PyTorch's default).
 * <ul>
 *   <li>max: {@code A[i,c,p] = max_{u ∈ window(p)} X[i,c,u]}; backward up-samples: the whole
 *       {@code dA[i,c,p]} goes to the (first) arg-max pixel recorded in forward, added when windows
 *       overlap ({@code stride < size});</li>
 *   <li>avg: {@code A[i,c,p] = mean_{u ∈ window(p)} X[i,c,u]}; backward spreads {@code dA / size²} over
 *       the window.</li>
 * </ul>
 * No parameters. Every loop runs over the n examples of one feature, which are contiguous; the max
 * update is written as selects (no data-dependent branch, which mispredicts on half the entries).
 * Float32 is the same code on float buffers.
 */
final class Pool2DLayer implements Layer {
    private final Shape in;
    private final boolean max;
    private final int size;
    private final int stride;
    private final int channels;
    private final int height;
    private final int width;
    private final int outH;
    private final int outW;

    Pool2DLayer(Shape in, boolean max, int size, int stride) {
        this.in = in;
        this.max = max;
        this.size = size;
        this.stride = stride;
        this.channels = in.dim(0);
        this.height = in.dim(1);
        this.width = in.dim(2);
        this.outH = (height - size) / stride + 1;
        this.outW = (width - size) / stride + 1;
    }

    @Override public Shape inShape() { return in; }
    @Override public Shape outShape() { return Shape.of(channels, outH, outW); }
    @Override public int weightRows() { return 0; }
    @Override public int weightCols() { return 0; }
    @Override public int biasSize() { return 0; }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%s %dx%d stride %d", max ? "max-pool" : "avg-pool", size, size, stride);
    }

    @Override
    public Buffers newBuffers(int maxRows, Precision precision) {
        return new PoolBuffers(maxRows, precision, outShape().size(), in.size(), max);
    }

    /** Input offset (times n) of window element (kh, kw) of output (c, oh, ow). */
    private int source(int n, int c, int oh, int ow, int kh, int kw) {
        return n * (c * height * width + (oh * stride + kh) * width + ow * stride + kw);
    }

    @Override
    public double[] forward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers) {
        PoolBuffers b = (PoolBuffers) buffers;
        double[] out = b.out;
        int[] arg = b.argmax;
        double inv = 1.0 / (size * size);
        for (int c = 0; c < channels; c++) {
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int dst = n * ((c * outH + oh) * outW + ow);
                    int first = source(n, c, oh, ow, 0, 0);
                    System.arraycopy(x, first, out, dst, n);
                    if (max) {
                        for (int i = 0; i < n; i++) {
                            arg[dst + i] = first + i;
                        }
                    }
                    for (int k = 1; k < size * size; k++) {
                        int src = source(n, c, oh, ow, k / size, k % size);
                        if (max) {
                            for (int i = 0; i < n; i++) {
                                double v = x[src + i];
                                double o = out[dst + i];
                                boolean gt = v > o;
                                out[dst + i] = gt ? v : o;
                                arg[dst + i] = gt ? src + i : arg[dst + i];
                            }
                        } else {
                            for (int i = 0; i < n; i++) {
                                out[dst + i] += x[src + i];
                            }
                        }
                    }
                    if (!max) {
                        for (int i = dst; i < dst + n; i++) {
                            out[i] *= inv;
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public float[] forward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers) {
        PoolBuffers b = (PoolBuffers) buffers;
        float[] out = b.out32;
        int[] arg = b.argmax;
        float inv = 1.0f / (size * size);
        for (int c = 0; c < channels; c++) {
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int dst = n * ((c * outH + oh) * outW + ow);
                    int first = source(n, c, oh, ow, 0, 0);
                    System.arraycopy(x, first, out, dst, n);
                    if (max) {
                        for (int i = 0; i < n; i++) {
                            arg[dst + i] = first + i;
                        }
                    }
                    for (int k = 1; k < size * size; k++) {
                        int src = source(n, c, oh, ow, k / size, k % size);
                        if (max) {
                            for (int i = 0; i < n; i++) {
                                float v = x[src + i];
                                float o = out[dst + i];
                                boolean gt = v > o;
                                out[dst + i] = gt ? v : o;
                                arg[dst + i] = gt ? src + i : arg[dst + i];
                            }
                        } else {
                            for (int i = 0; i < n; i++) {
                                out[dst + i] += x[src + i];
                            }
                        }
                    }
                    if (!max) {
                        for (int i = dst; i < dst + n; i++) {
                            out[i] *= inv;
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public double[] backward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers,
                             double[] dOut, double[] grad, boolean needInputGradient) {
        if (!needInputGradient) {
            return null;
        }
        PoolBuffers b = (PoolBuffers) buffers;
        double[] dIn = b.dIn;
        Arrays.fill(dIn, 0, n * in.size(), 0.0);
        if (max) {
            for (int j = 0, outLen = n * outShape().size(); j < outLen; j++) {
                dIn[b.argmax[j]] += dOut[j];
            }
            return dIn;
        }
        double inv = 1.0 / (size * size);
        for (int c = 0; c < channels; c++) {
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int src = n * ((c * outH + oh) * outW + ow);
                    for (int k = 0; k < size * size; k++) {
                        int dst = source(n, c, oh, ow, k / size, k % size);
                        for (int i = 0; i < n; i++) {
                            dIn[dst + i] += inv * dOut[src + i];
                        }
                    }
                }
            }
        }
        return dIn;
    }

    @Override
    public float[] backward(float[] params, int wOff, int bOff, float[] x, int n, Buffers buffers,
                            float[] dOut, float[] grad, boolean needInputGradient) {
        if (!needInputGradient) {
            return null;
        }
        PoolBuffers b = (PoolBuffers) buffers;
        float[] dIn = b.dIn32;
        Arrays.fill(dIn, 0, n * in.size(), 0.0f);
        if (max) {
            for (int j = 0, outLen = n * outShape().size(); j < outLen; j++) {
                dIn[b.argmax[j]] += dOut[j];
            }
            return dIn;
        }
        float inv = 1.0f / (size * size);
        for (int c = 0; c < channels; c++) {
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int src = n * ((c * outH + oh) * outW + ow);
                    for (int k = 0; k < size * size; k++) {
                        int dst = source(n, c, oh, ow, k / size, k % size);
                        for (int i = 0; i < n; i++) {
                            dIn[dst + i] += inv * dOut[src + i];
                        }
                    }
                }
            }
        }
        return dIn;
    }

    private static final class PoolBuffers extends Buffers {
        final double[] out;
        final double[] dIn;
        final float[] out32;
        final float[] dIn32;
        final int[] argmax;

        PoolBuffers(int maxRows, Precision precision, int outSize, int inSize, boolean max) {
            super(maxRows, precision);
            int outLength = Math.multiplyExact(maxRows, outSize);
            int inLength = Math.multiplyExact(maxRows, inSize);
            out = doubles(outLength);
            dIn = doubles(inLength);
            out32 = floats(outLength);
            dIn32 = floats(inLength);
            argmax = max ? new int[outLength] : null;
        }
    }
}
