package org.descent.bench;

import java.util.Collection;
import java.util.Map;
import org.descent.math.Blas;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the JMH benchmarks (standard JMH command-line options: {@code -wi -i -w -r -f}, a name regex)
 * and prints GFLOP/s = flops per op × ops/s: mean and median over the measurement iterations.
 * Prints the BLAS implementation netlib picked in this JVM; each fork prints its own.
 */
public final class BenchMain {
    private static final Map<String, Double> FLOPS = Map.of(
            "gemm128x784x256", GemmBenchmark.FLOPS,
            "forwardBackward784x256x128x10", NetworkStepBenchmark.FLOPS);

    private BenchMain() {}

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        String blas = Blas.implementationName();
        System.out.println("BLAS implementation (runner JVM): " + blas);
        System.out.println("OPENBLAS_NUM_THREADS=" + System.getenv("OPENBLAS_NUM_THREADS"));
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        System.out.println();
        System.out.printf("%-32s %14s %14s %12s %12s  %s%n",
                "benchmark", "ops/s (mean)", "MFLOP/op", "GFLOP/s mean", "GFLOP/s p50", "BLAS");
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String method = label.substring(label.lastIndexOf('.') + 1);
            Double flops = FLOPS.get(method);
            Statistics stats = r.getPrimaryResult().getStatistics();
            double mean = stats.getMean();
            double median = stats.getPercentile(50);
            if (flops == null) {
                System.out.printf("%-32s %14.1f%n", method, mean);
            } else {
                System.out.printf("%-32s %14.1f %14.2f %12.2f %12.2f  %s%n", method, mean, flops / 1e6,
                        mean * flops / 1e9, median * flops / 1e9, blas);
            }
        }
    }
}
