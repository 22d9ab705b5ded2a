package org.descent.math.nn.bench;

import java.util.List;
import java.util.SplittableRandom;
import org.descent.math.Blas;
import org.descent.math.Matrix;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.nn.Targets;
import org.descent.math.nn.layers.LayerDef;
import org.descent.math.nn.layers.Shape;

/**
 * Not a test: a profiling harness for one training step of the shipped CNN / LSTM on random data (64 rows, as
 * one task of the shipped configs), e.g. under JFR:
 * {@code java -cp ... org.descent.math.nn.bench.StackStepProfile cnn float64 200}. Prints ms per step; the
 * figures depend on the machine's load.
 */
public final class StackStepProfile {
    private StackStepProfile() {}

    public static void main(String[] args) {
        String arch = args.length > 0 ? args[0] : "cnn";
        Precision p = args.length > 1 && args[1].equals("float32") ? Precision.FLOAT32 : Precision.FLOAT64;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int rows = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        Network net = arch.equals("lstm")
                ? Network.of(Shape.of(28, 28), List.of(new LayerDef.Recurrent(true, 64, false),
                        new LayerDef.Dense(10, ActivationKind.IDENTITY, 0.01)), LossKind.SOFTMAX_CE)
                : Network.of(Shape.of(1, 28, 28), List.of(
                        new LayerDef.Conv2D(16, 5, 1, 0, ActivationKind.RELU, 0.01), new LayerDef.Pool2D(true, 2, 2),
                        new LayerDef.Conv2D(32, 5, 1, 0, ActivationKind.RELU, 0.01), new LayerDef.Pool2D(true, 2, 2),
                        new LayerDef.Flatten(), new LayerDef.Dense(10, ActivationKind.IDENTITY, 0.01)),
                        LossKind.SOFTMAX_CE);
        double[] params = net.initParams(InitKind.HE_NORMAL, 1);
        double[] grad = new double[params.length];
        SplittableRandom r = new SplittableRandom(7);
        Matrix x = Matrix.zeros(rows, net.inputSize());
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = r.nextDouble();
        }
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(10);
        }
        Targets t = Targets.ofValues(rows, y);
        Network.Workspace ws = net.newWorkspace(rows, p);
        System.out.println("BLAS " + Blas.implementationName() + ", " + arch + " " + p + ", rows " + rows);
        double first = net.lossAndGradientSum(params, x, t, grad, ws);
        long h = Double.doubleToLongBits(first);
        for (double g : grad) {
            h = h * 31 + Double.doubleToLongBits(g);
        }
        System.out.printf("digest %016x (one step's loss and gradient bits)%n", h);
        for (int round = 0; round < 3; round++) {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            double s = 0;
            for (int i = 0; i < steps; i++) {
                s += net.lossAndGradientSum(params, x, t, grad, ws);
            }
            double ms = (System.nanoTime() - t0) / 1e6 / steps;
            double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e6 / steps;
            System.out.printf("round %d: %.2f ms/step wall, %.2f ms/step thread CPU (loss %.4f)%n", round, ms, cpu,
                    s / steps / rows);
        }
    }
}
