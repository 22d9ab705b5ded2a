package org.descent.job.exchange;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The allreduce between ranks that all run in one JVM (Spark local mode, or one executor holding every task): the
 * same owner-computes reduce-scatter + all-gather as {@link Mesh}'s TCP path, but each rank reads the other ranks'
 * vectors straight from memory instead of through sockets (what NCCL and Gloo do for ranks on one host).
 *
 * <p>Rank c owns chunk c, {@code [c n / P, (c+1) n / P)}, and adds chunk c of all P ranks' vectors <em>in rank order
 * from 0.0</em> (within a rank in the order of its vectors) into its own vector: the same bits as the TCP path and the
 * driver's sum. Waits at the {@link SpinBarrier} per call:
 * <ul>
 *   <li>{@link #allReduce}: 3. Publish the vectors, wait; sum the own chunk; wait; copy every other rank's chunk of
 *       its vector; wait (so that no rank rewrites its vector while another still copies from it).</li>
 *   <li>{@link #reduceScatter}: 1. Publish, wait, sum the own chunk, return. Other ranks may still be summing their
 *       chunks of this rank's vectors, so until its {@link #allGather} (the only call allowed next) a rank may
 *       rewrite its own chunk of {@code vs[0]} and nothing else of {@code vs}; the all-gather's first wait then
 *       stands in for the reduce-scatter's second (every rank has summed its chunk).</li>
 *   <li>{@link #allGather}: 2. Publish the vector and the extra number, wait, copy, wait.</li>
 * </ul>
 * A sharded step (reduce-scatter, owner's update, all-gather) therefore waits 3 times instead of 4. Copies between
 * ranks' vectors go directly (no staging buffer: on a 2-core machine a copy of half a ~2 MB vector costs more than
 * a wait that the spin catches). No allocation per call.
 *
 * <p>A rank that fails breaks the barrier ({@link #abort}), so the others fail at once instead of waiting.
 */
final class LocalHub {
    /** Identifies this JVM at the rendezvous: ranks with equal ids can use a hub. */
    static final String JVM_ID = UUID.randomUUID().toString();

    private static final ConcurrentHashMap<String, LocalHub> HUBS = new ConcurrentHashMap<>();

    private final String key;
    private final int size;
    /** Each rank's published vectors (read by the others between the publishing call's barrier and their next). */
    private final double[][][] groups;
    /** Each rank's published float heads of {@link #reduceScatterSplit} (null for the other calls). */
    private final float[][][] floatGroups;
    private final long[] tags;
    /** Each rank's vector whose own chunk the others copy (the sums, or what {@link #allGather} publishes). */
    private final double[][] vectors;
    /** Each rank's head array of {@link #allGatherSplit} (the parameters; null for a plain {@link #allGather}). */
    private final double[][] heads;
    /** Each rank's float copy of its head in {@link #allGatherSplit} (or null). */
    private final float[][] heads32;
    /** The extra number each rank passed to {@link #allGather}. */
    private final double[] extras;
    /** {@code [rank]}: what rank's last {@link #allGather} returned (reused). */
    private final double[][] gathered;
    /** {@code [rank]}: true between its {@link #reduceScatter} and its {@link #allGather}(Split). */
    private final boolean[] scattered;
    private final SpinBarrier barrier;
    private int left;
    /** What the ranks share beyond the exchange ({@link #shared}), created by the first rank that asks. */
    private Object shared;

    private LocalHub(String key, int size) {
        this.key = key;
        this.size = size;
        this.groups = new double[size][][];
        this.floatGroups = new float[size][][];
        this.tags = new long[size];
        this.vectors = new double[size][];
        this.heads = new double[size][];
        this.heads32 = new float[size][];
        this.extras = new double[size];
        this.gathered = new double[size][size];
        this.scattered = new boolean[size];
        this.barrier = new SpinBarrier(size);
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
        publish(rank, vs, tag, "allReduce");
        sumChunk(vs[0], bound(rank, n), bound(rank + 1, n));
        await(rank); // every owner has summed its chunk
        copyOtherChunks(rank, vs[0], n);
        await(rank); // nobody reads this rank's vector any more: the caller may rewrite it
    }

    /**
     * The first half of {@link #allReduce}: afterwards {@code v = vs[0]}'s own chunk holds the rank-order sum (other chunks
     * are untouched). Other ranks may still read this rank's vectors: until {@link #allGather}, which must come next,
     * the rank may rewrite its own chunk of {@code vs[0]} only.
     */
    void reduceScatter(int rank, double[][] vs, int n, long tag) throws IOException {
        floatGroups[rank] = null;
        publish(rank, vs, tag, "reduceScatter");
        sumChunk(vs[0], bound(rank, n), bound(rank + 1, n));
        scattered[rank] = true;
    }

    /**
     * {@link #reduceScatter} of vectors whose entries {@code [0, w)} are float partials, {@code hs[j]} standing for
     * {@code vs[j][0, w)} (float32 gradients, see {@code Network.gradientSum(..., float[], ...)}): the own chunk of
     * {@code vs[0]} gets {@code 0.0 + h_0[i] + h_1[i] + ...} widened, in rank order, below {@code w} and the usual sum
     * from {@code vs} above it. The bits of {@link #reduceScatter} over partials {@code 0.0 + (double) h[i]}: a sum
     * from 0.0 is never -0.0, so adding {@code -0.0} or {@code +0.0} gives the same. Half the bytes read per partial;
     * {@code vs[j][0, w)} is neither read nor written outside the own chunk. Until {@link #allGather}, the rank may
     * rewrite neither {@code hs} nor more than its own chunk of {@code vs[0]}.
     */
    void reduceScatterSplit(int rank, float[][] hs, int w, double[][] vs, int n, long tag) throws IOException {
        floatGroups[rank] = hs;
        publish(rank, vs, tag, "reduceScatter");
        int lo = bound(rank, n);
        int hi = bound(rank + 1, n);
        int mid = Math.max(lo, Math.min(hi, w));
        sumFloatChunk(vs[0], lo, mid);
        sumChunk(vs[0], mid, hi);
        scattered[rank] = true;
    }

    /** {@code v[i] = 0.0 + h_0[i] + h_1[i] + ...} widened, over the published float heads in rank order. */
    private void sumFloatChunk(double[] v, int lo, int hi) {
        if (size == 2 && floatGroups[0].length == 1 && floatGroups[1].length == 1) {
            float[] a = floatGroups[0][0];
            float[] b = floatGroups[1][0];
            for (int i = lo; i < hi; i++) v[i] = (0.0 + a[i]) + b[i];
            return;
        }
        for (int i = lo; i < hi; i++) {
            double acc = 0.0;
            for (int s = 0; s < size; s++) {
                for (float[] h : floatGroups[s]) acc += h[i];
            }
            v[i] = acc;
        }
    }

    /** Publishes {@code vs} under {@code tag}, waits for every rank to do the same, and checks that the tags agree. */
    private void publish(int rank, double[][] vs, long tag, String call) throws IOException {
        if (scattered[rank]) {
            throw new IllegalStateException("allreduce rank " + rank + ": " + call + " after reduceScatter; "
                    + "allGather must come first");
        }
        groups[rank] = vs;
        vectors[rank] = vs[0];
        tags[rank] = tag;
        await(rank);
        for (int s = 0; s < size; s++) {
            if (tags[s] != tag) {
                throw new IOException("allreduce rank " + rank + ": rank " + s + " is at step tag " + tags[s]
                        + ", expected " + tag + " (the tasks are out of step)");
            }
        }
    }

    /**
     * {@code v[i] = 0.0 + x_0[i] + x_1[i] + ...} for {@code i} in {@code [lo, hi)}, over the published vectors of all
     * ranks in rank order ({@code v} is one of them: each element is read by all ranks before its owner writes it).
     * Two ranks of one vector each (two partitions on two task slots) take a loop without the nested walk over groups,
     * with the same two additions in the same order.
     */
    private void sumChunk(double[] v, int lo, int hi) {
        if (size == 2 && groups[0].length == 1 && groups[1].length == 1) {
            double[] a = groups[0][0];
            double[] b = groups[1][0];
            for (int i = lo; i < hi; i++) v[i] = (0.0 + a[i]) + b[i];
            return;
        }
        for (int i = lo; i < hi; i++) v[i] = sumAt(i);
    }

    /** {@code 0.0 + x_0[i] + x_1[i] + ...} over the published vectors of all ranks in rank order. */
    private double sumAt(int i) {
        double acc = 0.0;
        for (int s = 0; s < size; s++) {
            for (double[] x : groups[s]) acc += x[i];
        }
        return acc;
    }

    /**
     * The second half: every rank's chunk of its own vector is copied into everyone's; {@code extra} (one number per
     * rank) is gathered alongside and returned in rank order, in an array this rank's next call reuses. Also usable on
     * its own (e.g. to assemble state that each rank holds for its own chunk).
     */
    double[] allGather(int rank, double[] v, int n, double extra) throws IOException {
        vectors[rank] = v;
        extras[rank] = extra;
        await(rank); // every rank has published its chunk (and the others are done reading its vectors)
        scattered[rank] = false;
        copyOtherChunks(rank, v, n);
        double[] out = gathered[rank];
        System.arraycopy(extras, 0, out, 0, size);
        await(rank); // nobody reads this rank's vector any more: the caller may rewrite it
        return out;
    }

    /**
     * {@link #allGather} of a vector split in two arrays: its entries {@code [0, w)} live in {@code head} (a sharded
     * step's parameters, updated in place by their owner) and {@code [w, n)} in {@code v} ({@code v[0, w)} is neither
     * read nor written). Every other rank's chunk goes straight from its head into this rank's head and from its
     * {@code v} into this {@code v}: no copy of the parameters into the vector and back. Same waits, same bits.
     * {@code head32} (null on every rank, or on none): the heads' float copies, whose chunks go along the same way.
     */
    double[] allGatherSplit(int rank, double[] head, float[] head32, int w, double[] v, int n, double extra)
            throws IOException {
        heads[rank] = head;
        heads32[rank] = head32;
        vectors[rank] = v;
        extras[rank] = extra;
        await(rank); // every rank has updated its chunk (and the others are done reading its vectors)
        scattered[rank] = false;
        for (int s = 0; s < size; s++) {
            if (s == rank) continue;
            int from = bound(s, n);
            int to = bound(s + 1, n);
            int mid = Math.max(from, Math.min(to, w));
            System.arraycopy(heads[s], from, head, from, Math.max(0, mid - from));
            if (head32 != null) System.arraycopy(heads32[s], from, head32, from, Math.max(0, mid - from));
            System.arraycopy(vectors[s], mid, v, mid, to - mid);
        }
        double[] out = gathered[rank];
        System.arraycopy(extras, 0, out, 0, size);
        await(rank); // nobody reads this rank's head or vector any more: the caller may rewrite them
        return out;
    }

    /** Copies every other rank's chunk of its published vector into {@code v}. */
    private void copyOtherChunks(int rank, double[] v, int n) {
        for (int s = 0; s < size; s++) {
            if (s == rank) continue;
            int from = bound(s, n);
            System.arraycopy(vectors[s], from, v, from, bound(s + 1, n) - from);
        }
    }

    private void await(int rank) throws IOException {
        try {
            if (!barrier.await(rank)) throw failedPeer(rank);
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
        barrier.breakBarrier();
    }

    /** Drops every hub whose key starts with {@code prefix} (end of a run: hubs of failed attempts included). */
    static void release(String prefix) {
        HUBS.keySet().removeIf(k -> k.startsWith(prefix));
    }

    /**
     * A wait for every rank and nothing else: what each rank wrote before it is visible to every rank after it
     * ({@link SpinBarrier}).
     */
    void barrier(int rank) throws IOException {
        await(rank);
    }

    /**
     * The object the hub's ranks share ({@link SharedState}): created by {@code create} for the first rank that asks,
     * the same one for every later call; it lives as long as the hub (one segment attempt).
     */
    synchronized <T> T shared(java.util.function.Supplier<T> create) {
        if (shared == null) shared = create.get();
        @SuppressWarnings("unchecked")
        T t = (T) shared;
        return t;
    }

    /** A rank is done with the hub; the last one removes it. */
    synchronized void leave() {
        if (++left == size) HUBS.remove(key, this);
    }
}
