package org.descent.job.exchange;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Phaser;

/**
 * The allreduce between ranks that all run in one JVM (Spark local mode, or one executor holding every task): the
 * same owner-computes reduce-scatter + all-gather as {@link Mesh}'s TCP path, but each rank reads the other ranks'
 * vectors straight from memory instead of through sockets (what NCCL and Gloo do for ranks on one host).
 *
 * <p>Per step, with one barrier between phases: (A) every rank publishes its vector; (B) rank c adds chunk c of all
 * P vectors <em>in rank order from 0.0</em> into its own vector (nobody else reads chunk c); (C) every rank copies
 * every other rank's summed chunk into its own vector; a last barrier keeps any rank from overwriting its vector for
 * the next step while another still reads it. The sums are the same bits as the TCP path and the driver's sum.
 *
 * <p>A rank that fails breaks the barrier ({@link #abort}), so the others fail at once instead of waiting.
 */
final class LocalHub {
    /** Identifies this JVM at the rendezvous: ranks with equal ids can use a hub. */
    static final String JVM_ID = UUID.randomUUID().toString();

    private static final ConcurrentHashMap<String, LocalHub> HUBS = new ConcurrentHashMap<>();

    private final String key;
    private final int size;
    private final double[][] vectors;
    private final double[][][] groups;
    private final long[] tags;
    private final Phaser barrier;
    private final double[] extras;
    private int left;
    private volatile boolean aborted;

    private LocalHub(String key, int size) {
        this.key = key;
        this.size = size;
        this.vectors = new double[size][];
        this.groups = new double[size][][];
        this.tags = new long[size];
        this.barrier = new Phaser(size);
        this.extras = new double[size];
    }

    /** The hub of one (run, segment, stage attempt); created by the first rank that asks. */
    static LocalHub join(String key, int size) {
        return HUBS.computeIfAbsent(key, k -> new LocalHub(k, size));
    }

    private int bound(int c, int n) {
        return (int) ((long) c * n / size);
    }

    /**
     * As {@link Mesh#allReduce}: {@code vs[0][0, n)} becomes the sum over all ranks' vectors, in rank order and within
     * a rank in the order of {@code vs} (a rank owning several partitions passes one vector per partition).
     */
    void allReduce(int rank, double[][] vs, int n, long tag) throws IOException {
        reduceScatter(rank, vs, n, tag);
        copyOtherChunks(rank, vs[0], n);
        await(rank);
    }

    /** Copies every other rank's chunk of its published vector into {@code v}. */
    private void copyOtherChunks(int rank, double[] v, int n) {
        for (int s = 0; s < size; s++) {
            if (s == rank) continue;
            int from = bound(s, n);
            System.arraycopy(vectors[s], from, v, from, bound(s + 1, n) - from);
        }
    }

    /**
     * The first half of {@link #allReduce}: afterwards {@code v = vs[0]}'s own chunk holds the rank-order sum (other chunks
     * are untouched), and no rank reads another rank's vector any more, so each may rewrite its own chunk.
     */
    void reduceScatter(int rank, double[][] vs, int n, long tag) throws IOException {
        double[] v = vs[0];
        vectors[rank] = v;
        groups[rank] = vs;
        tags[rank] = tag;
        await(rank);
        for (int s = 0; s < size; s++) {
            if (tags[s] != tag) {
                throw new IOException("allreduce rank " + rank + ": rank " + s + " is at step tag " + tags[s]
                        + ", expected " + tag + " (the tasks are out of step)");
            }
        }
        int lo = bound(rank, n);
        int hi = bound(rank + 1, n);
        for (int i = lo; i < hi; i++) {
            double acc = 0.0;
            for (int s = 0; s < size; s++) {
                for (double[] x : groups[s]) acc += x[i];
            }
            v[i] = acc;
        }
        await(rank);
    }

    /**
     * The second half: every rank's chunk of its own vector is copied into everyone's; {@code extra} (one number per
     * rank) is gathered alongside and returned in rank order. Also usable on its own (e.g. to assemble state that
     * each rank holds for its own chunk).
     */
    double[] allGather(int rank, double[] v, int n, double extra) throws IOException {
        vectors[rank] = v;
        extras[rank] = extra;
        await(rank); // every owner has written its chunk
        copyOtherChunks(rank, v, n);
        double[] out = extras.clone();
        await(rank); // nobody reads any vector any more
        return out;
    }

    private void await(int rank) throws IOException {
        if (aborted) throw failedPeer(rank);
        try {
            // a terminated phaser (abort) makes arrive and wait return a negative phase at once, also for ranks
            // that arrive after the abort
            int phase = barrier.arrive();
            if (phase < 0 || barrier.awaitAdvanceInterruptibly(phase) < 0) throw failedPeer(rank);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new IOException("allreduce rank " + rank + ": interrupted", e);
        }
    }

    private static IOException failedPeer(int rank) {
        return new IOException("allreduce rank " + rank + ": a peer task in this JVM failed; the segment is run again");
    }

    /** A failing rank: wake every other rank with an error, now and at any later barrier. */
    void abort() {
        aborted = true;
        barrier.forceTermination();
    }

    /** Drops every hub whose key starts with {@code prefix} (end of a run: hubs of failed attempts included). */
    static void release(String prefix) {
        HUBS.keySet().removeIf(k -> k.startsWith(prefix));
    }

    /** A rank is done with the hub; the last one removes it. */
    synchronized void leave() {
        if (++left == size) HUBS.remove(key, this);
    }
}
