package org.descent.bench;

import java.util.concurrent.TimeUnit;
import org.descent.math.Blas;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.nn.Precision;
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
 * {@code C = A B} with A 128 x 784 and B 784 x 256 (a first-layer forward on a 128-row batch), in
 * double ({@code dgemm}) and float ({@code sgemm}) on the same values.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmBenchmark {
    public static final int M = 128;
    public static final int K = 784;
    public static final int N = 256;
    /** Flops of one {@link #gemm128x784x256} call. */
    public static final double FLOPS = Flops.gemm(M, N, K);

    @Param({"FLOAT64", "FLOAT32"})
    public Precision precision;

    private Matrix a;
    private Matrix b;
    private Matrix c;
    private FloatMatrix af;
    private FloatMatrix bf;
    private FloatMatrix cf;

    @Setup(Level.Trial)
    public void setUp() {
        a = Matrix.normal(M, K, 0, 1, 1);
        b = Matrix.normal(K, N, 0, 1, 2);
        c = Matrix.zeros(M, N);
        af = FloatMatrix.of(a);
        bf = FloatMatrix.of(b);
        cf = FloatMatrix.zeros(M, N);
        System.out.println("[fork] BLAS implementation: " + Blas.implementationName());
    }

    @Benchmark
    public double gemm128x784x256() {
        if (precision == Precision.FLOAT32) {
            Blas.sgemm(false, false, M, N, K, 1f, af.data(), 0, M, bf.data(), 0, K, 0f, cf.data(), 0, M);
            return cf.data()[0];
        }
        Blas.gemm(1.0, a, b, 0.0, c);
        return c.data()[0];
    }
}
