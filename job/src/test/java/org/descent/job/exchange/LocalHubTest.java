package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-memory exchange ({@link LocalHub}) on real threads, without Spark: the sums are the rank-order sums
 * {@code 0.0 + p_0 + ... + p_{P-1}} bit for bit, also when every rank rewrites its vectors the moment a call returns
 * and when a rank updates its chunk while the others may still be summing theirs (the reduce-scatter waits once),
 * over many calls, with uneven chunks and partition groups; a failing or interrupted rank fails the others instead of
 * leaving them waiting.
 * Values mix magnitudes 1e16 and 1, so another summation order gives other bits.
 */
class LocalHubTest {
    /** A generous bound so that a broken hub fails the test instead of hanging it (not a speed check). */
    private static final long HANG_SECONDS = 120;

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Element i of vector j of rank r at call t: seeded, mixing magnitudes so that the summation order shows. */
    private static double value(long t, int r, int j, int i) {
        long h = (t * 1_000_003L + r * 7_919L + j * 104_729L + i) * 0x9E3779B97F4A7C15L;
        double u = (h >>> 11) * 0x1.0p-53 - 0.5;
        return switch ((int) ((h >>> 3) & 3)) {
            case 0 -> u * 1e16;
            case 1 -> -u * 1e16 + 1;
            default -> u;
        };
    }

    private static void fill(double[][] vs, long t, int r) {
        for (int j = 0; j < vs.length; j++) {
            for (int i = 0; i < vs[j].length; i++) vs[j][i] = value(t, r, j, i);
        }
    }

    /** The reference: {@code 0.0 + x_{0,0}[i] + x_{0,1}[i] + ... } over ranks in order, their vectors in order. */
    private static double expected(long t, int[] counts, int i) {
        double acc = 0.0;
        for (int r = 0; r < counts.length; r++) {
            for (int j = 0; j < counts[r]; j++) acc += value(t, r, j, i);
        }
        return acc;
    }

    private interface Rank {
        void run(LocalHub hub, int rank) throws Exception;
    }

    /** Runs one thread per rank on one hub; returns the ranks' failures (null: none), in rank order. */
    private List<Throwable> onRanks(int size, Rank body) throws Exception {
        LocalHub hub = LocalHub.join("test/" + UUID.randomUUID(), size);
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            int rank = r;
            done.add(pool.submit(() -> {
                try {
                    body.run(hub, rank);
                } catch (Exception | Error e) {
                    hub.abort(); // as Mesh.close does for a rank that did not finish: the others fail too
                    throw e;
                } finally {
                    hub.leave();
                }
                return null;
            }));
        }
        List<Throwable> failures = new ArrayList<>();
        for (Future<?> f : done) {
            try {
                f.get(HANG_SECONDS, TimeUnit.SECONDS);
                failures.add(null);
            } catch (ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        return failures;
    }

    private static void assertNoFailures(List<Throwable> failures) {
        for (Throwable t : failures) {
            if (t != null) throw new AssertionError("a rank failed: " + t, t);
        }
    }

    /** @param groups vectors (partitions) per rank: "1,1" takes the hub's two-rank loop, the others its general one */
    @ParameterizedTest
    @ValueSource(strings = {"1,1", "2,1", "1,2,1"})
    void givenRanksWithGroupsAndUnevenChunks_whenManyAllReducesRun_thenEveryRankHoldsTheRankOrderSumBitForBit(
            String groups) throws Exception {
        int[] counts = java.util.Arrays.stream(groups.split(",")).mapToInt(Integer::parseInt).toArray();
        int n = 1001; // uneven chunks: 500 + 501, or 333 + 334 + 334
        assertNoFailures(onRanks(counts.length, (hub, rank) -> {
            double[][] vs = new double[counts[rank]][n];
            for (long t = 0; t < 300; t++) {
                fill(vs, t, rank); // rewritten right after the previous call returned
                hub.allReduce(rank, vs, n, t);
                for (int i = 0; i < n; i++) {
                    if (Double.doubleToRawLongBits(vs[0][i]) != Double.doubleToRawLongBits(expected(t, counts, i))) {
                        throw new AssertionError("rank " + rank + " call " + t + " element " + i + ": " + vs[0][i]
                                + " != " + expected(t, counts, i));
                    }
                }
            }
        }));
    }

    @Test
    void givenTwoRanks_whenReduceScatterUpdateAndAllGatherAlternate_thenOwnChunksAreSummedAndEveryRankGathersAll()
            throws Exception {
        int[] counts = {1, 1};
        int n = 777;
        assertNoFailures(onRanks(2, (hub, rank) -> {
            double[][] vs = new double[1][n];
            double[] v = vs[0];
            int lo = rank * n / 2;
            int hi = (rank + 1) * n / 2;
            for (long t = 0; t < 300; t++) {
                fill(vs, t, rank);
                hub.reduceScatter(rank, vs, n, t);
                for (int i = lo; i < hi; i++) {
                    assertEquals(Double.doubleToRawLongBits(expected(t, counts, i)), Double.doubleToRawLongBits(v[i]));
                    v[i] = value(t, 9, rank, i); // the owner's "update" of its chunk
                }
                double[] extras = hub.allGather(rank, v, n, t + 0.5 * rank);
                assertArrayEquals(new double[] {t, t + 0.5}, extras);
                for (int i = 0; i < n; i++) {
                    int owner = i < n / 2 ? 0 : 1;
                    assertEquals(Double.doubleToRawLongBits(value(t, 9, owner, i)), Double.doubleToRawLongBits(v[i]));
                }
            }
        }));
    }

    @Test
    void givenThreeRanks_whenAllGathersFollowEachOtherAndTheVectorIsRewrittenAtOnce_thenEachGatherSeesItsOwnRound()
            throws Exception {
        int n = 500;
        assertNoFailures(onRanks(3, (hub, rank) -> {
            double[] v = new double[n];
            for (int round = 0; round < 500; round++) {
                for (int i = 0; i < n; i++) v[i] = value(round, rank, 0, i); // as ShardedStep.gatherState's copy
                hub.allGather(rank, v, n, 0.0);
                for (int i = 0; i < n; i++) {
                    int owner = i < n / 3 ? 0 : i < 2 * n / 3 ? 1 : 2;
                    if (v[i] != value(round, owner, 0, i)) {
                        throw new AssertionError("rank " + rank + " round " + round + " element " + i);
                    }
                }
            }
        }));
    }

    @Test
    void givenOneRank_whenAnAllReduceFollowsAReduceScatter_thenItIsRefusedNamingTheMissingAllGather() throws Exception {
        List<Throwable> failures = onRanks(1, (hub, rank) -> {
            double[][] vs = {{1, 2, 3}};
            hub.reduceScatter(rank, vs, 3, 0);
            hub.allReduce(rank, vs, 3, 1);
        });
        assertTrue(failures.get(0) instanceof IllegalStateException, String.valueOf(failures.get(0)));
        assertTrue(failures.get(0).getMessage().contains("allGather must come first"), failures.get(0).getMessage());
    }

    @Test
    void givenThreeRanks_whenOneFailsBeforeAStep_thenTheOthersFailWithAPeerFailureInsteadOfWaiting() throws Exception {
        List<Throwable> failures = onRanks(3, (hub, rank) -> {
            double[][] vs = new double[1][64];
            for (long t = 0; t < 10; t++) {
                if (rank == 2 && t == 5) throw new IllegalStateException("rank 2 fails");
                fill(vs, t, rank);
                hub.allReduce(rank, vs, 64, t);
            }
        });
        for (int r = 0; r < 2; r++) {
            assertTrue(failures.get(r) instanceof IOException, String.valueOf(failures.get(r)));
            assertTrue(failures.get(r).getMessage().contains("a peer task in this JVM failed"),
                    failures.get(r).getMessage());
        }
        assertEquals("rank 2 fails", failures.get(2).getMessage());
    }

    @Test
    void givenTwoRanks_whenAWaitingRankIsInterrupted_thenItFailsAsInterruptedAndThePeerFailsToo() throws Exception {
        LocalHub hub = LocalHub.join("test/" + UUID.randomUUID(), 2);
        Throwable[] failure = new Throwable[1];
        Thread waiting = new Thread(() -> {
            try {
                hub.allReduce(0, new double[][] {{1.0}}, 1, 0); // rank 1 is not there yet
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        waiting.start();
        while (waiting.getState() != Thread.State.WAITING) Thread.onSpinWait(); // parked at the barrier
        waiting.interrupt();
        waiting.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
        assertTrue(failure[0] instanceof IOException, String.valueOf(failure[0]));
        assertTrue(failure[0].getMessage().contains("interrupted"), failure[0].getMessage());
        IOException peer = assertThrows(IOException.class, () -> hub.allReduce(1, new double[][] {{2.0}}, 1, 0));
        assertTrue(peer.getMessage().contains("a peer task in this JVM failed"), peer.getMessage());
        hub.leave();
        hub.leave();
    }
}
