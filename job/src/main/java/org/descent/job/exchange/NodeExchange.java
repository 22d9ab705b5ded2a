package org.descent.job.exchange;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;

/**
 * Hierarchical allreduce for ranks spread over several JVMs with several ranks in some (a "node" = one executor JVM):
 * the ranks of a node hand their vectors to the node's leader (its lowest rank) through memory, and only the E
 * leaders exchange over TCP, with the same owner-computes reduce-scatter + all-gather as {@link Mesh}, chunk c of E
 * owned by the leader of node c. Messages per step: 2 (E-1) per leader instead of 2 per rank; bytes in the
 * reduce-scatter unchanged (every partial still travels, see below), in the all-gather one copy per node instead of
 * one per rank.
 *
 * <p><b>Fixed order, any placement.</b> Spark places ranks on executors as it likes (rank 0 and 2 in one JVM, rank
 * 1 in another, ...), and the sum must be the driver's {@code 0.0 + p_0 + ... + p_{P-1}}. A node therefore does not
 * pre-sum its ranks' vectors (that would round differently unless the node held a prefix of the order): its leader
 * sends each partial's piece of chunk c in one message, and the owner adds all pieces in global rank order (and
 * within a rank in the order of its vectors), wherever they came from. Every element is summed once, by one leader,
 * in the broadcast-collect driver's order: the same bits as the flat exchange, for any placement and R.
 *
 * <p>Per step (call order): every rank publishes its vectors in the node's hub and waits (barrier A); the leader
 * exchanges with the other leaders and leaves the full result in its first vector; barrier B; the other ranks copy it;
 * barrier C (the leader may then reuse its vector). A failing rank breaks the node's barrier ({@link #abort}); a
 * failing leader closes its sockets, so the other leaders' reads fail; Spark kills the stage's remaining tasks.
 */
final class NodeExchange {
    private static final ConcurrentHashMap<String, Hub> HUBS = new ConcurrentHashMap<>();

    /** The in-memory meeting point of one node's ranks for one (run, segment, attempt). */
    private static final class Hub {
        final String key;
        final int members;
        final double[][][] vectors;
        final double[][] firsts;
        final double[] extras;
        final Phaser barrier;
        int left;
        volatile boolean aborted;

        Hub(String key, int members, int ranks) {
            this.key = key;
            this.members = members;
            this.vectors = new double[members][][];
            this.firsts = new double[members][];
            this.extras = new double[ranks];
            this.barrier = new Phaser(members);
        }
    }

    private final int rank;
    private final int ranks;
    private final int[] counts;
    private final Topology topo;
    private final int node;
    private final int member;
    private final Hub hub;
    /** The TCP links to the other nodes' leaders (no connections on non-leaders). */
    private final LeaderLinks links;
    private final ExecutorService writer;
    private boolean done;

    /** Which rank lives on which node (nodes numbered by their lowest rank). */
    record Topology(int[] nodeOf, int[][] members) {
        static Topology of(List<String> jvms) {
            int r = jvms.size();
            int[] nodeOf = new int[r];
            java.util.Map<String, Integer> ids = new java.util.LinkedHashMap<>();
            for (int i = 0; i < r; i++) nodeOf[i] = ids.computeIfAbsent(jvms.get(i), k -> ids.size());
            int[][] members = new int[ids.size()][];
            for (int n = 0; n < members.length; n++) {
                final int nn = n;
                members[n] = java.util.stream.IntStream.range(0, r).filter(i -> nodeOf[i] == nn).toArray();
            }
            return new Topology(nodeOf, members);
        }

        int nodes() {
            return members.length;
        }

        int leader(int node) {
            return members[node][0];
        }

        /** Worth a hierarchy: more than one node, and some node holding several ranks. */
        boolean hierarchical() {
            return nodes() > 1 && nodes() < nodeOf.length;
        }
    }

    /**
     * Joins the node's hub; leaders bring their TCP connections to the other leaders ({@code leaders[d]}, null for
     * this node; null on non-leaders; from {@link LeaderLinks#connect}). {@code hubKey} identifies (run, segment,
     * attempt, JVM).
     */
    NodeExchange(int rank, int[] counts, Topology topo, String hubKey, SocketChannel[] leaders) {
        this.rank = rank;
        this.ranks = counts.length;
        this.counts = counts.clone();
        this.topo = topo;
        this.node = topo.nodeOf()[rank];
        int m = 0;
        while (topo.members()[node][m] != rank) m++;
        this.member = m;
        int size = topo.members()[node].length;
        this.hub = HUBS.computeIfAbsent(hubKey, k -> new Hub(k, size, counts.length));
        this.links = new LeaderLinks(rank, topo, leaders);
        this.writer = isLeader() ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "descent-allreduce-node-send-" + rank);
            t.setDaemon(true);
            return t;
        }) : null;
    }

    boolean isLeader() {
        return topo.leader(node) == rank;
    }

    int nodes() {
        return topo.nodes();
    }

    private static int bound(int c, int n, int parts) {
        return (int) ((long) c * n / parts);
    }

    /** {@code vs[0][0, n)} becomes the sum over all ranks' vectors in rank order (see the class comment). */
    void allReduce(double[][] vs, int n, long tag) throws IOException {
        hub.vectors[member] = vs;
        await(); // A
        if (isLeader()) leaderAllReduce(vs[0], n, tag);
        await(); // B
        if (!isLeader()) System.arraycopy(hub.vectors[0][0], 0, vs[0], 0, n);
        await(); // C
    }

    private void leaderAllReduce(double[] v, int n, long tag) throws IOException {
        int e = topo.nodes();
        int lo = bound(node, n, e);
        int hi = bound(node + 1, n, e);
        int len = hi - lo;
        Future<?> sent = writer.submit(() -> links.closingOnFailure(() -> {
            for (int r = 1; r < e; r++) {
                int d = (node + r) % e;
                int from = bound(d, n, e);
                int to = bound(d + 1, n, e);
                ByteBuffer b = links.sendBuffer(d, 8 + 8L * nodeVectors(node) * (to - from));
                b.putLong(tag);
                java.nio.DoubleBuffer db = b.asDoubleBuffer();
                for (double[][] mv : hub.vectors) for (double[] x : mv) db.put(x, from, to - from);
                links.write(d, b, nodeVectors(node) * (to - from));
            }
        }));
        double[][] pieces = new double[e][];
        for (int r = 1; r < e; r++) {
            int s = (node - r + e) % e;
            pieces[s] = links.read(s, tag, nodeVectors(s) * len);
        }
        await(sent);
        int[] offset = new int[ranks]; // a rank's first vector within its node's message
        for (int[] ms : topo.members()) {
            int o = 0;
            for (int s : ms) {
                offset[s] = o;
                o += counts[s];
            }
        }
        for (int i = lo; i < hi; i++) {
            double acc = 0.0;
            for (int s = 0; s < ranks; s++) {
                int d = topo.nodeOf()[s];
                if (d == node) {
                    for (double[] x : hub.vectors[indexIn(node, s)]) acc += x[i];
                } else {
                    double[] p = pieces[d];
                    for (int j = 0, off = offset[s] * len + (i - lo); j < counts[s]; j++, off += len) acc += p[off];
                }
            }
            v[i] = acc;
        }
        gatherLeaders(v, n, tag);
    }

    /** Leaders: every node's summed chunk of {@code v} to every leader. */
    private void gatherLeaders(double[] v, int n, long tag) throws IOException {
        int e = topo.nodes();
        int lo = bound(node, n, e);
        int hi = bound(node + 1, n, e);
        Future<?> sent = writer.submit(() -> links.closingOnFailure(() -> {
            for (int r = 1; r < e; r++) {
                int d = (node + r) % e;
                ByteBuffer b = links.sendBuffer(d, 8 + 8L * (hi - lo));
                b.putLong(~tag);
                b.asDoubleBuffer().put(v, lo, hi - lo);
                links.write(d, b, hi - lo);
            }
        }));
        for (int r = 1; r < e; r++) {
            int s = (node - r + e) % e;
            int from = bound(s, n, e);
            double[] got = links.read(s, ~tag, bound(s + 1, n, e) - from);
            System.arraycopy(got, 0, v, from, got.length);
        }
        await(sent);
    }

    /**
     * As {@link Mesh#allGather}: every rank's chunk {@code [r n / R, (r+1) n / R)} of its {@code v} goes to every
     * rank, and the ranks' {@code extra}s are returned in rank order.
     */
    double[] allGather(double[] v, int n, long tag, double extra) throws IOException {
        hub.firsts[member] = v;
        hub.extras[rank] = extra;
        await(); // A
        if (isLeader()) leaderAllGather(v, n, tag);
        await(); // B
        if (!isLeader()) System.arraycopy(hub.firsts[0], 0, v, 0, n);
        double[] out = hub.extras.clone();
        await(); // C
        return out;
    }

    private void leaderAllGather(double[] v, int n, long tag) throws IOException {
        int[] mine = topo.members()[node];
        for (int k = 1; k < mine.length; k++) {
            int s = mine[k];
            int from = bound(s, n, ranks);
            System.arraycopy(hub.firsts[k], from, v, from, bound(s + 1, n, ranks) - from);
        }
        int e = topo.nodes();
        Future<?> sent = writer.submit(() -> links.closingOnFailure(() -> {
            int count = 0;
            for (int s : mine) count += 1 + bound(s + 1, n, ranks) - bound(s, n, ranks);
            for (int r = 1; r < e; r++) {
                int d = (node + r) % e;
                ByteBuffer b = links.sendBuffer(d, 8 + 8L * count);
                b.putLong(tag);
                java.nio.DoubleBuffer db = b.asDoubleBuffer();
                for (int s : mine) db.put(hub.extras[s]).put(v, bound(s, n, ranks), bound(s + 1, n, ranks) - bound(s, n, ranks));
                links.write(d, b, count);
            }
        }));
        for (int r = 1; r < e; r++) {
            int src = (node - r + e) % e;
            int count = 0;
            for (int s : topo.members()[src]) count += 1 + bound(s + 1, n, ranks) - bound(s, n, ranks);
            double[] got = links.read(src, tag, count);
            int o = 0;
            for (int s : topo.members()[src]) {
                int from = bound(s, n, ranks);
                int len = bound(s + 1, n, ranks) - from;
                hub.extras[s] = got[o++];
                System.arraycopy(got, o, v, from, len);
                o += len;
            }
        }
        await(sent);
    }

    private int nodeVectors(int d) {
        int c = 0;
        for (int s : topo.members()[d]) c += counts[s];
        return c;
    }

    private int indexIn(int d, int s) {
        int[] ms = topo.members()[d];
        for (int k = 0; k < ms.length; k++) if (ms[k] == s) return k;
        throw new IllegalStateException("rank " + s + " is not on node " + d);
    }

    private void await(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new IOException("allreduce rank " + rank + ": interrupted", e);
        } catch (ExecutionException e) {
            abort();
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("allreduce rank " + rank + ": send failed: " + e.getCause(), e.getCause());
        }
    }

    private void await() throws IOException {
        if (hub.aborted) throw failed();
        try {
            int phase = hub.barrier.arrive();
            if (phase < 0 || hub.barrier.awaitAdvanceInterruptibly(phase) < 0) throw failed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new IOException("allreduce rank " + rank + ": interrupted", e);
        }
    }

    private IOException failed() {
        return new IOException("allreduce rank " + rank + ": a task on this executor failed; the segment is run again");
    }

    /** Wakes the node's other ranks with an error and closes this leader's connections. */
    void abort() {
        hub.aborted = true;
        hub.barrier.forceTermination();
        links.close();
    }

    /** The segment ran to its end on this rank. */
    void markDone() {
        done = true;
    }

    /** Leaves the hub (the last rank removes it); a rank that did not finish breaks the barrier first. */
    void close() {
        if (!done) abort();
        if (writer != null) writer.shutdownNow();
        links.close();
        synchronized (hub) {
            if (++hub.left == hub.members) HUBS.remove(hub.key, hub);
        }
    }

    /** Drops every hub whose key starts with {@code prefix} (end of a run: failed attempts' hubs included). */
    static void release(String prefix) {
        HUBS.keySet().removeIf(k -> k.startsWith(prefix));
    }
}
