package org.descent.math.nn.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.descent.math.Blas;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.nn.Targets;

/**
 * Not a test: a profiling harness for one allreduce rank's float32 step of the Fashion-MNIST MLP (784-256-128-10,
 * 64 rows = one task of batch 128 on 2 partitions), old glue against new, alternating in one JVM and timed in
 * THREAD CPU (a loaded machine's preemption does not count; its cache contention does):
 * <ul>
 *   <li>old: double batch rounded by the pass, zero-filled double accumulator, float gradient added into it, copied
 *       into the step vector; the owner's reduce-scatter sums its half of two double partials;</li>
 *   <li>new: float batch, float gradient straight from the GEMMs into the partial at float weights of which the
 *       rank rounds half ({@code Network.gradientSumAt}); the owner sums its half of two float partials widened;</li>
 *   <li>in between ("double vector"): float batch, the gradient written over the double step vector as 0.0 + g.</li>
 * </ul>
 * {@code java -cp ... org.descent.math.nn.bench.MlpStepProfile [steps] [rounds]}; run with OPENBLAS_NUM_THREADS=1.
 */
public final class MlpStepProfile {
    private MlpStepProfile() {}

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rows = 64;
        Network net = new Network(List.of(new LayerSpec(784, 256, ActivationKind.RELU, 0.01),
                new LayerSpec(256, 128, ActivationKind.RELU, 0.01),
                new LayerSpec(128, 10, ActivationKind.IDENTITY, 0.01)), LossKind.SOFTMAX_CE);
        int w = net.numParams();
        double[] params = net.initParams(InitKind.HE_NORMAL, 1);
        SplittableRandom r = new SplittableRandom(7);
        double[] x = new double[rows * 784];
        float[] x32 = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(256) / 255.0;
            x32[i] = (float) x[i];
        }
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) y[i] = r.nextInt(10);
        Targets t = Targets.ofValues(rows, y);
        Network.Workspace ws = net.newWorkspace(rows, Precision.FLOAT32);
        double[] grad = new double[w];
        double[][] vec = {new double[w + 4], new double[w + 4]};
        float[][] head = {new float[w], new float[w]};
        double[] sum = new double[w];
        float[] w32 = new float[w];
        FloatMatrix.toFloat(params, 0, w32, 0, w);
        System.out.println("BLAS " + Blas.implementationName() + ", MLP 784-256-128-10 float32, rows " + rows
                + ", params " + w);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < rounds; round++) {
            for (int mode = 0; mode < 3; mode++) {
                boolean old = mode == 0;
                boolean assign = mode == 1;
                long c0 = mx.getCurrentThreadCpuTime();
                double s = 0;
                for (int i = 0; i < steps; i++) {
                    int k = i & 1;
                    if (old) {
                        Arrays.fill(grad, 0.0);
                        s += net.lossAndGradientSum(params, Matrix.wrap(rows, 784, x), t, grad, ws);
                        System.arraycopy(grad, 0, vec[k], 0, w);
                    } else if (assign) {
                        s += net.gradientSum(params, FloatMatrix.wrap(rows, 784, x32), t, vec[k], ws);
                    } else {
                        FloatMatrix.toFloat(params, 0, w32, 0, w / 2); // the owner rounds its chunk only
                        s += net.gradientSumAt(w32, FloatMatrix.wrap(rows, 784, x32), t, head[k], ws);
                    }
                }
                long c1 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < steps; i++) { // the owner's half of a 2-rank reduce-scatter
                    if (old || assign) {
                        double[] a = vec[0];
                        double[] b = vec[1];
                        for (int j = 0; j < w / 2; j++) sum[j] = (0.0 + a[j]) + b[j];
                    } else {
                        float[] a = head[0];
                        float[] b = head[1];
                        for (int j = 0; j < w / 2; j++) sum[j] = (0.0 + a[j]) + b[j];
                    }
                }
                long c2 = mx.getCurrentThreadCpuTime();
                System.out.printf("round %d %s: gradient %.3f ms/step, owner's sum %.3f ms/step thread CPU (loss %.4f)%n",
                        round, old ? "old" : assign ? "double vector" : "float partial", (c1 - c0) / 1e6 / steps, (c2 - c1) / 1e6 / steps, s / steps / rows);
            }
        }
    }
}
