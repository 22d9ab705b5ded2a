package org.descent.bench;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One {@link Network#lossAndGradientSum} (forward + backward, gradient accumulated) of a
 * 784-256-128-10 ReLU network with softmax cross-entropy on a 128-row batch, in each
 * {@link Precision}. {@code input}: MATRIX passes the double block (FLOAT32 rounds it into the
 * workspace every call), FLOAT_MATRIX passes a float block converted once (FLOAT64 widens it every
 * call). FLOAT32 also rounds the 235k parameters to float and adds the float gradient into the
 * double accumulator on every call (O(params) each), included in the timing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class NetworkStepBenchmark {
    public static final int ROWS = 128;
    public static final List<LayerSpec> LAYERS = List.of(
            new LayerSpec(784, 256, ActivationKind.RELU),
            new LayerSpec(256, 128, ActivationKind.RELU),
            new LayerSpec(128, 10, ActivationKind.IDENTITY));
    /** GEMM flops of one {@link #forwardBackward784x256x128x10} call. */
    public static final double FLOPS = Flops.forwardBackward(LAYERS, ROWS);

    /** Block type handed to the network. */
    public enum Input { MATRIX, FLOAT_MATRIX }

    @Param({"FLOAT64", "FLOAT32"})
    public Precision precision;

    @Param({"MATRIX", "FLOAT_MATRIX"})
    public Input input;

    private Network net;
    private double[] params;
    private double[] grad;
    private Matrix x;
    private FloatMatrix xf;
    private Targets y;
    private Network.Workspace ws;

    @Setup(Level.Trial)
    public void setUp() {
        net = new Network(LAYERS, LossKind.SOFTMAX_CE);
        params = net.initParams(InitKind.HE_NORMAL, 1);
        grad = new double[net.numParams()];
        x = Matrix.uniform(ROWS, 784, 0, 1, 3);
        xf = FloatMatrix.of(x);
        double[] labels = new double[ROWS];
        SplittableRandom rng = new SplittableRandom(4);
        for (int i = 0; i < ROWS; i++) {
            labels[i] = rng.nextInt(10);
        }
        y = Targets.ofValues(ROWS, labels);
        ws = net.newWorkspace(ROWS, precision);
        System.out.println("[fork] BLAS implementation: " + Blas.implementationName());
    }

    @Benchmark
    public double forwardBackward784x256x128x10() {
        return input == Input.FLOAT_MATRIX
                ? net.lossAndGradientSum(params, xf, y, grad, ws)
                : net.lossAndGradientSum(params, x, y, grad, ws);
    }
}
