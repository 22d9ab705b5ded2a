package org.descent.job.exchange;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The in-memory exchange alone ({@link LocalHub}), as a sharded step uses it: R threads, each per step "computes"
 * (fills its vector, then busy-waits to {@code --compute-us} ± 5 %, seeded), reduce-scatters, updates its chunk
 * (a scaled copy, the size of a momentum update's writes), all-gathers; or ({@code --replicated}) one allreduce.
 * Prints the medians of rank 0's time inside the hub and of the step, and steps/s. Not a test (a main, on the test
 * classpath because LocalHub is package-private); run it with the old and new classes in turn to compare.
 *
 * <p>Usage: {@code LocalHubBench [--n 235150] [--ranks 2] [--steps 3000] [--warmup 500] [--compute-us 2000]
 * [--replicated]}
 */
public final class LocalHubBench {
    private LocalHubBench() {}

    public static void main(String[] args) throws Exception {
        int n = 235_150, ranks = 2, steps = 3000, warmup = 500, computeUs = 2000;
        boolean replicated = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--n" -> n = Integer.parseInt(args[++i]);
                case "--ranks" -> ranks = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--compute-us" -> computeUs = Integer.parseInt(args[++i]);
                case "--replicated" -> replicated = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        LocalHub hub = LocalHub.join("bench/" + System.nanoTime(), ranks);
        long[] hubNanos = new long[steps];
        long[] stepNanos = new long[steps];
        Thread[] threads = new Thread[ranks];
        int len = n, total = warmup + steps, warm = warmup, size = ranks;
        boolean rep = replicated;
        long computeNanos = computeUs * 1000L;
        long t0 = System.nanoTime();
        long[] timedStart = new long[1];
        for (int r = 0; r < ranks; r++) {
            int rank = r;
            threads[r] = new Thread(() -> {
                try {
                    runRank(hub, rank, size, len, total, warm, computeNanos, rep, hubNanos, stepNanos, timedStart);
                } catch (Exception e) {
                    hub.abort();
                    throw new IllegalStateException(e);
                }
            }, "hub-bench-" + r);
            threads[r].start();
        }
        for (Thread t : threads) t.join();
        double secs = (System.nanoTime() - timedStart[0]) / 1e9;
        System.out.printf(Locale.ROOT, "LocalHubBench %s: %d ranks, n=%d, compute %d us, %d steps after %d: "
                        + "rank-0 hub median %.3f ms (p90 %.3f), step median %.3f ms, %.1f steps/s; loadavg %s%n",
                rep ? "replicated (allReduce)" : "sharded (reduceScatter+allGather)", ranks, n, computeUs, steps,
                warmup, pct(hubNanos, 50), pct(hubNanos, 90), pct(stepNanos, 50), steps / secs,
                new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim());
        System.out.printf(Locale.ROOT, "(total %.1f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    private static void runRank(LocalHub hub, int rank, int ranks, int n, int total, int warmup, long computeNanos,
                                boolean replicated, long[] hubNanos, long[] stepNanos, long[] timedStart)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(17 + rank);
        double[][] vs = {new double[n]};
        double[] v = vs[0];
        int lo = (int) ((long) rank * n / ranks);
        int hi = (int) ((long) (rank + 1) * n / ranks);
        for (int s = 0; s < total; s++) {
            if (rank == 0 && s == warmup) timedStart[0] = System.nanoTime();
            long c0 = System.nanoTime();
            Arrays.fill(v, s * 1e-3 + rank);
            long until = c0 + (long) (computeNanos * (0.95 + 0.1 * rnd.nextDouble()));
            while (System.nanoTime() < until) Thread.onSpinWait();
            long h0 = System.nanoTime();
            long inHub;
            if (replicated) {
                hub.allReduce(rank, vs, n, s);
                inHub = System.nanoTime() - h0;
            } else {
                hub.reduceScatter(rank, vs, n, s);
                long h1 = System.nanoTime();
                for (int i = lo; i < hi; i++) v[i] = 0.5 * v[i];
                long h2 = System.nanoTime();
                hub.allGather(rank, v, n, 1.0);
                inHub = (h1 - h0) + (System.nanoTime() - h2);
            }
            if (rank == 0 && s >= warmup) {
                hubNanos[s - warmup] = inHub;
                stepNanos[s - warmup] = System.nanoTime() - c0;
            }
        }
    }

    private static double pct(long[] v, int q) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(q / 100.0 * s.length) - 1)] / 1e6;
    }
}
