package org.descent.math.nn.layers;

import java.util.Arrays;
import java.util.Locale;

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
 * No parameters. Every loop runs over the n examples of one feature, which are contiguous.
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
    public Buffers newBuffers(int maxRows) {
        return new PoolBuffers(maxRows, outShape().size(), in.size(), max);
    }

    @Override
    public double[] forward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers) {
        PoolBuffers b = (PoolBuffers) buffers;
        int plane = height * width;
        double inv = 1.0 / (size * size);
        for (int c = 0; c < channels; c++) {
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int dst = n * ((c * outH + oh) * outW + ow);
                    int first = n * (c * plane + oh * stride * width + ow * stride);
                    System.arraycopy(x, first, b.out, dst, n);
                    if (max) {
                        for (int i = 0; i < n; i++) {
                            b.argmax[dst + i] = first + i;
                        }
                    }
                    for (int kh = 0; kh < size; kh++) {
                        for (int kw = 0; kw < size; kw++) {
                            if (kh == 0 && kw == 0) {
                                continue;
                            }
                            int src = n * (c * plane + (oh * stride + kh) * width + ow * stride + kw);
                            if (max) {
                                for (int i = 0; i < n; i++) {
                                    double v = x[src + i];
                                    if (v > b.out[dst + i]) {
                                        b.out[dst + i] = v;
                                        b.argmax[dst + i] = src + i;
                                    }
                                }
                            } else {
                                for (int i = 0; i < n; i++) {
                                    b.out[dst + i] += x[src + i];
                                }
                            }
                        }
                    }
                    if (!max) {
                        for (int i = dst; i < dst + n; i++) {
                            b.out[i] *= inv;
                        }
                    }
                }
            }
        }
        return b.out;
    }

    @Override
    public double[] backward(double[] params, int wOff, int bOff, double[] x, int n, Buffers buffers,
                             double[] dOut, double[] grad, boolean needInputGradient) {
        if (!needInputGradient) {
            return null;
        }
        PoolBuffers b = (PoolBuffers) buffers;
        Arrays.fill(b.dIn, 0, n * in.size(), 0.0);
        int outLen = n * outShape().size();
        if (max) {
            for (int j = 0; j < outLen; j++) {
                b.dIn[b.argmax[j]] += dOut[j];
            }
            return b.dIn;
        }
        int plane = height * width;
        double inv = 1.0 / (size * size);
        for (int c = 0; c < channels; c++) {
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    int src = n * ((c * outH + oh) * outW + ow);
                    for (int kh = 0; kh < size; kh++) {
                        for (int kw = 0; kw < size; kw++) {
                            int dst = n * (c * plane + (oh * stride + kh) * width + ow * stride + kw);
                            for (int i = 0; i < n; i++) {
                                b.dIn[dst + i] += inv * dOut[src + i];
                            }
                        }
                    }
                }
            }
        }
        return b.dIn;
    }

    private static final class PoolBuffers extends Buffers {
        final double[] out;
        final int[] argmax;
        final double[] dIn;

        PoolBuffers(int maxRows, int outSize, int inSize, boolean max) {
            super(maxRows);
            out = new double[Math.multiplyExact(maxRows, outSize)];
            argmax = max ? new int[out.length] : null;
            dIn = new double[Math.multiplyExact(maxRows, inSize)];
        }
    }
}
