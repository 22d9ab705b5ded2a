package org.descent.math.nn.bench;

import java.util.SplittableRandom;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.Precision;
import org.descent.math.nn.layers.Layer;
import org.descent.math.nn.layers.LayerDef;
import org.descent.math.nn.layers.Shape;

/**
 * Not a test: the shipped CNN's two convolutions' forward pass (64 rows, float64) through the layer (im2col + one
 * dgemm) against a direct kernel on the same column-major block layout (per filter and output position, one
 * length-n AXPY per (c, kh, kw): the loop a direct convolution on this layout runs), thread CPU ms per call.
 * {@code java -cp ... org.descent.math.nn.bench.ConvKernelCompare}; figures depend on the machine's load.
 */
public final class ConvKernelCompare {
    private ConvKernelCompare() {}

    public static void main(String[] args) {
        int n = 64;
        compare("conv1 1x28x28 -> 16x24x24", Shape.of(1, 28, 28), 16, n);
        compare("conv2 16x12x12 -> 32x8x8", Shape.of(16, 12, 12), 32, n);
    }

    private static void compare(String name, Shape in, int filters, int n) {
        int k = 5;
        Layer conv = new LayerDef.Conv2D(filters, k, 1, 0, ActivationKind.IDENTITY, 0.01).build(in, 0);
        SplittableRandom r = new SplittableRandom(1);
        double[] p = new double[conv.weightRows() * filters + filters];
        for (int i = 0; i < p.length; i++) p[i] = r.nextGaussian();
        double[] x = new double[n * in.size()];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
        Layer.Buffers b = conv.newBuffers(n, Precision.FLOAT64);
        int c = in.dim(0), h = in.dim(1), w = in.dim(2), oh = h - k + 1, ow = w - k + 1;
        double[] out = new double[n * filters * oh * ow];
        double gemmMs = 0, directMs = 0, diff = 0;
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 5; round++) {
            long t0 = mx.getCurrentThreadCpuTime();
            double[] a = null;
            for (int rep = 0; rep < 20; rep++) a = conv.forward(p, 0, conv.weightRows() * filters, x, n, b);
            long t1 = mx.getCurrentThreadCpuTime();
            for (int rep = 0; rep < 20; rep++) direct(p, x, n, c, h, w, k, filters, out);
            long t2 = mx.getCurrentThreadCpuTime();
            gemmMs = (t1 - t0) / 20e6;
            directMs = (t2 - t1) / 20e6;
            diff = 0;
            for (int i = 0; i < out.length; i++) diff = Math.max(diff, Math.abs(out[i] - a[i]));
        }
        System.out.printf("%s: im2col+dgemm %.2f ms, direct %.2f ms per forward of %d rows (max |diff| %.1e)%n",
                name, gemmMs, directMs, n, diff);
    }

    private static void direct(double[] p, double[] x, int n, int c, int h, int w, int k, int filters, double[] out) {
        int oh = h - k + 1, ow = w - k + 1, ckk = c * k * k, bOff = ckk * filters;
        for (int f = 0; f < filters; f++) {
            for (int y = 0; y < oh; y++) {
                for (int z = 0; z < ow; z++) {
                    int dst = n * ((f * oh + y) * ow + z);
                    java.util.Arrays.fill(out, dst, dst + n, p[bOff + f]);
                    for (int ci = 0; ci < c; ci++) {
                        for (int kh = 0; kh < k; kh++) {
                            for (int kw = 0; kw < k; kw++) {
                                double wt = p[f * ckk + (ci * k + kh) * k + kw];
                                int src = n * (ci * h * w + (y + kh) * w + z + kw);
                                for (int i = 0; i < n; i++) {
                                    out[dst + i] += wt * x[src + i];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
