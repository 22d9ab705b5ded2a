package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 13 item 4: the hierarchical exchange ({@link NodeExchange}) with 3, 4 and 8 ranks placed on executor JVMs
 * in any order (JVM ids given per rank, so one test JVM plays several executors; all traffic between "executors"
 * goes over loopback TCP, inside one through memory). Every rank must end with exactly the fixed-order sum
 * {@code 0.0 + rank 0's vectors + rank 1's + ...} (the broadcast-collect driver's order), bit for bit, for the
 * allreduce and for the sharded update's reduce-scatter + all-gather; the values are chosen so that another
 * summation order gives other bits.
 */
class HierarchicalExchangeTest {
    private static final int N = 1003;

    /** Each rank's vectors (counts[r] of them) for one step, seeded. */
    private static double[][][] vectors(int[] counts, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][][] v = new double[counts.length][][];
        for (int r = 0; r < counts.length; r++) {
            v[r] = new double[counts[r]][N];
            for (double[] x : v[r]) for (int i = 0; i < N; i++) x[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-8, 9));
        }
        return v;
    }

    private static double[] fold(double[][][] v, boolean reversed) {
        double[] out = new double[N];
        for (int i = 0; i < N; i++) {
            double acc = 0.0;
            for (int k = 0; k < v.length; k++) {
                double[][] xs = v[reversed ? v.length - 1 - k : k];
                for (double[] x : xs) acc += x[i];
            }
            out[i] = acc;
        }
        return out;
    }

    private static double[][] copy(double[][] xs) {
        double[][] c = new double[xs.length][];
        for (int j = 0; j < xs.length; j++) c[j] = xs[j].clone();
        return c;
    }

    @ParameterizedTest(name = "{0} ranks on JVMs {1}, vectors per rank {2}")
    @CsvSource({"3, A A B, 1 2 1", "4, A B A B, 2 1 1 2", "8, A B A C B A C C, 1 1 2 1 1 3 1 1",
                "4, A B C D, 1 1 1 1"})
    void givenRanksOnSeveralJvms_whenExchanging_thenEveryRankHasTheFixedOrderSumBitForBit(int ranks, String jvmList,
                                                                                           String countList) throws Exception {
        String[] jvms = jvmList.split(" ");
        int[] counts = java.util.Arrays.stream(countList.split(" ")).mapToInt(Integer::parseInt).toArray();
        int expectedNodes = (int) java.util.Arrays.stream(jvms).distinct().count();
        boolean hierarchical = expectedNodes < ranks;
        double[][][] step1 = vectors(counts, 1);
        double[][][] step2 = vectors(counts, 2);
        double[] sum1 = fold(step1, false);
        double[] sum2 = fold(step2, false);
        double[] reversed = fold(step1, true);
        boolean orderMatters = false;
        for (int i = 0; i < N; i++) orderMatters |= Double.doubleToRawLongBits(sum1[i]) != Double.doubleToRawLongBits(reversed[i]);
        assertTrue(orderMatters, "the test data must tell summation orders apart");
        double[] gathered = new double[N];
        for (int i = 0; i < N; i++) gathered[i] = 1000.0 * rankOf(i, ranks) + i;

        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try (Rendezvous rv = new Rendezvous("127.0.0.1", "127.0.0.1")) {
            List<Future<double[][]>> futures = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                final int rank = r;
                futures.add(pool.submit(() -> {
                    try (Mesh mesh = Mesh.connect(rv.address(), rv.token(), "test-" + ranks, 0, 0, rank, ranks,
                            "127.0.0.1", 30_000, true, counts, "jvm-" + jvms[rank] + "-" + jvmList)) {
                        double[][] a = copy(step1[rank]);
                        mesh.allReduce(a, N, 1);
                        double[][] b = copy(step2[rank]);
                        mesh.reduceScatter(b, N, 2);
                        double[] own = b[0].clone();
                        double[] g = new double[N];
                        java.util.Arrays.fill(g, Double.NaN);
                        for (int i = mesh.chunkStart(rank, N); i < mesh.chunkStart(rank + 1, N); i++) g[i] = gathered[i];
                        double[] extras = mesh.allGather(g, N, 2, 0.5 * rank);
                        mesh.markDone();
                        return new double[][] {a[0], own, g, extras, {mesh.nodes()}};
                    }
                }));
            }
            for (int r = 0; r < ranks; r++) {
                double[][] got = futures.get(r).get(60, TimeUnit.SECONDS);
                assertBits(sum1, got[0], "rank " + r + ": allreduce");
                int lo = chunk(r, ranks), hi = chunk(r + 1, ranks);
                assertBits(java.util.Arrays.copyOfRange(sum2, lo, hi), java.util.Arrays.copyOfRange(got[1], lo, hi),
                        "rank " + r + ": its reduce-scatter chunk");
                assertBits(gathered, got[2], "rank " + r + ": all-gather");
                for (int s = 0; s < ranks; s++) assertEquals(0.5 * s, got[3][s], "rank " + r + ": extra of rank " + s);
                assertEquals(hierarchical ? expectedNodes : 0, (int) got[4][0], "rank " + r + ": executors of the hierarchy");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int chunk(int c, int ranks) {
        return (int) ((long) c * N / ranks);
    }

    private static int rankOf(int i, int ranks) {
        int r = 0;
        while (chunk(r + 1, ranks) <= i) r++;
        return r;
    }

    private static void assertBits(double[] expected, double[] actual, String what) {
        long[] e = new long[expected.length];
        long[] a = new long[actual.length];
        for (int i = 0; i < e.length; i++) e[i] = Double.doubleToRawLongBits(expected[i]);
        for (int i = 0; i < a.length; i++) a[i] = Double.doubleToRawLongBits(actual[i]);
        assertArrayEquals(e, a, what);
    }
}
