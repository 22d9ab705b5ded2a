package org.descent.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.descent.math.Blas;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the JMH benchmarks (standard JMH command-line options: {@code -wi -i -w -r -f}, a name regex)
 * and prints GFLOP/s = flops per op × ops/s: mean and median over the measurement iterations, then
 * the float32/float64 ratio of median throughput for every benchmark run in both precisions.
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
        System.out.printf("%-58s %14s %10s %12s %12s  %s%n",
                "benchmark [params]", "ops/s (mean)", "MFLOP/op", "GFLOP/s mean", "GFLOP/s p50", "BLAS");
        Map<String, Double> medianByLabel = new LinkedHashMap<>();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String method = label.substring(label.lastIndexOf('.') + 1);
            String params = r.getParams().getParamsKeys().stream()
                    .map(k -> k + "=" + r.getParams().getParam(k)).collect(Collectors.joining(","));
            String name = params.isEmpty() ? method : method + " [" + params + "]";
            Double flops = FLOPS.get(method);
            Statistics stats = r.getPrimaryResult().getStatistics();
            double mean = stats.getMean();
            double median = stats.getPercentile(50);
            if (flops == null) {
                System.out.printf("%-58s %14.1f%n", name, mean);
            } else {
                System.out.printf("%-58s %14.1f %10.2f %12.2f %12.2f  %s%n", name, mean, flops / 1e6,
                        mean * flops / 1e9, median * flops / 1e9, blas);
            }
            medianByLabel.put(name, median);
        }
        printPrecisionRatios(medianByLabel);
    }

    /** For every FLOAT32 result with a FLOAT64 twin (same benchmark, same other params): median ops/s ratio. */
    private static void printPrecisionRatios(Map<String, Double> medianByLabel) {
        boolean header = false;
        for (Map.Entry<String, Double> e : medianByLabel.entrySet()) {
            String f32 = e.getKey();
            if (!f32.contains("precision=FLOAT32")) {
                continue;
            }
            Double f64 = medianByLabel.get(f32.replace("precision=FLOAT32", "precision=FLOAT64"));
            if (f64 == null) {
                continue;
            }
            if (!header) {
                System.out.println();
                System.out.println("float32 / float64 speed (ratio of median ops/s over the measurement iterations):");
                header = true;
            }
            System.out.printf("  %-58s %6.2fx%n", f32.replace("precision=FLOAT32", "precision=32/64"), e.getValue() / f64);
        }
    }
}
