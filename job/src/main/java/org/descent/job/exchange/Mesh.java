package org.descent.job.exchange;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * Direct TCP connections between the P tasks of one allreduce segment (executor side), and the fixed-order
 * allreduce over them. Built once per segment ({@link #connect}: open a listening socket, register with the
 * driver's {@link Rendezvous}, get every rank's address back, connect), then {@link #allReduce} once per step;
 * no Spark and no driver in the data path (rank 0 only streams a few numbers per step to the driver for progress).
 * With P = 1 (the listening socket is then unused) there are no peers.
 *
 * <p><b>Allreduce = reduce-scatter + all-gather, owner-computes.</b> A vector of length L is cut into P chunks,
 * chunk c = {@code [c L / P, (c+1) L / P)}, owned by rank c. (1) Every rank sends its chunk c to rank c; rank c
 * adds the P pieces <em>in rank order</em>, {@code acc = 0.0; acc += piece_0; ...; acc += piece_{P-1}}. (2) Every
 * rank sends its summed chunk to every other rank. Each element is therefore computed exactly once, by one rank,
 * in a fixed order that does not depend on arrival times: all ranks end with the same bits, and they are the bits
 * the broadcast-collect exchange's driver computes (it also starts from 0.0 and adds partitions in index order).
 * Per rank and step: sends and receives {@code 2 (P-1)/P · 8L} bytes (bandwidth-optimal, like a ring), in
 * {@code 2 (P-1)} messages.
 *
 * <p><b>Partition groups.</b> A rank that owns k partitions (more partitions than task slots) sends the k pieces of
 * each chunk in one message and the owner adds all of them, rank by rank and within a rank in partition order:
 * with contiguous groups that is {@code 0.0 + p_0 + p_1 + ... + p_{P-1}}, the driver's order, whatever the number of
 * ranks. Pre-summing a group first would round differently. The reduce-scatter then moves k times the bytes
 * ({@code k (P-1)/P · 8L} per rank); the all-gather is unchanged.
 *
 * <p><b>Message count.</b> {@code 2 } messages per rank and step, {@code 2 R } in all (all-to-all, one
 * round each way): bandwidth-optimal, but the per-message latency term grows linearly in R. When some executor JVMs
 * hold several ranks (transport auto), the exchange is hierarchical instead ({@link NodeExchange}): the ranks of a
 * JVM meet in memory and only one leader per JVM is on the network, {@code 2 (E-1)} messages per leader for E
 * executors, in the same fixed summation order. A log-R schedule (recursive halving-doubling) is not implemented.
 *
 * <p><b>No deadlock.</b> One writer thread sends while the calling thread receives. In round r = 1..P-1 rank i
 * sends to {@code i + r} and receives from {@code i - r} (mod P), so every send of round r meets the matching
 * receive of round r on the other side. A peer that dies closes its sockets (the kernel does so even on SIGKILL):
 * the blocked read gets end-of-stream and the step fails with an {@link IOException} naming the peer; Spark then
 * restarts the whole barrier stage. Every message starts with the step's tag, so a desynchronised peer is an
 * error, not silent corruption.
 */
final class Mesh implements AutoCloseable {

    private final int rank;
    private final int size;
    private final SocketChannel[] peers;
    /** The flat exchange over {@link #peers} (TCP, more than one rank, neither hub nor nodes), else null. */
    private final FlatTcpExchange tcp;
    private final java.net.Socket progressSocket;
    private final java.io.DataOutputStream progress;

    private final LocalHub hub;
    /** Several ranks in some executor JVMs (and more than one JVM): the hierarchical exchange, else null. */
    private final NodeExchange nodes;
    /** Vectors each rank contributes to a reduce-scatter (its partitions; 1 each unless partitions > ranks). */
    private final int[] counts;
    private boolean done;
    /** Bytes of the collectives' vectors, for the engine's log ({@link ExchangeTraffic}). */
    private final ExchangeTraffic traffic = new ExchangeTraffic();

    private Mesh(int rank, int size, SocketChannel[] peers, java.net.Socket progressSocket, LocalHub hub, int[] counts,
                 NodeExchange nodes) throws IOException {
        this.hub = hub;
        this.nodes = nodes;
        this.counts = counts.clone();
        this.progressSocket = progressSocket;
        this.progress = progressSocket == null ? null : new java.io.DataOutputStream(
                new java.io.BufferedOutputStream(progressSocket.getOutputStream()));
        this.rank = rank;
        this.size = size;
        this.peers = peers;
        this.tcp = size == 1 || hub != null || nodes != null ? null : new FlatTcpExchange(rank, size, peers, counts);
    }

    int rank() {
        return rank;
    }

    /** Ranks of the segment. */
    int size() {
        return size;
    }

    ExchangeTraffic traffic() {
        return traffic;
    }

    /** Rank 0's stream of step records to the driver (null on other ranks). */
    java.io.DataOutputStream progress() {
        return progress;
    }

    /**
     * Opens a listening socket on {@code host}, registers {@code (rank, host, port)} with the driver's rendezvous
     * and connects to every other rank: rank i dials every rank below it and accepts every rank above it.
     * {@code counts[r]}: how many vectors rank r passes to {@link #reduceScatter(double[][], int, long)}. {@code jvm}:
     * this JVM's id at the rendezvous ({@link LocalHub#JVM_ID}); ranks with equal ids meet in memory when
     * {@code inJvm} (transport auto): all of them through a {@link LocalHub}, some of them through a {@link NodeExchange}.
     */
    static Mesh connect(Rendezvous.Address tracker, long token, String runId, int segment, int attempt, int rank,
                        int size, String host, int timeoutMillis, boolean inJvm, int[] counts, String jvm)
            throws IOException {
        SocketChannel[] peers = new SocketChannel[size];
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(host, 0), size);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Rendezvous.Registration reg = Rendezvous.register(tracker, token, segment, attempt, rank, size, host, port,
                    timeoutMillis, jvm);
            List<InetSocketAddress> all = reg.peers();
            if (inJvm && size > 1 && reg.jvms().stream().distinct().count() == 1) {
                // every rank is in this JVM: exchange through memory, no sockets
                return new Mesh(rank, size, peers, reg.progressSocket(),
                        LocalHub.join(runId + "/" + segment + "/" + attempt, size), counts, null);
            }
            try {
                NodeExchange.Topology topo = NodeExchange.Topology.of(reg.jvms());
                if (inJvm && topo.hierarchical()) {
                    // several ranks in some executors: they meet in memory, one leader per executor on the network
                    NodeExchange nodes = new NodeExchange(rank, counts, topo, runId + "/" + segment + "/" + attempt
                            + "/" + reg.jvms().get(rank), LeaderLinks.connect(server, all, topo, rank, token));
                    return new Mesh(rank, size, peers, reg.progressSocket(), null, counts, nodes);
                }
                for (int j = 0; j < rank; j++) peers[j] = PeerConnections.dial(all.get(j), token, rank);
                for (int k = rank + 1; k < size; k++) {
                    PeerConnections.Hello h = PeerConnections.accept(server, token, rank);
                    int from = h.rank();
                    if (from <= rank || from >= size || peers[from] != null) {
                        h.channel().close();
                        throw new IOException("allreduce rank " + rank + ": unexpected connection (rank " + from
                                + ") on the peer port; another job may be using it");
                    }
                    peers[from] = h.channel();
                }
                return new Mesh(rank, size, peers, reg.progressSocket(), null, counts, null);
            } catch (IOException | RuntimeException e) {
                Sockets.closeAll(peers);
                if (reg.progressSocket() != null) reg.progressSocket().close();
                throw e;
            }
        }
    }

    /** First index of chunk {@code c} of a vector of length {@code n}. */
    private int bound(int c, int n) {
        return (int) ((long) c * n / size);
    }

    /**
     * Replaces {@code v[0, n)} on every rank by the sum over ranks, in rank order from 0.0 (see the class comment).
     * {@code tag} (e.g. the global step) must be the same on all ranks.
     */
    void allReduce(double[] v, int n, long tag) throws IOException {
        allReduce(new double[][] {v}, n, tag);
    }

    /**
     * As {@link #allReduce(double[], int, long)} for a rank that contributes {@code vs.length} vectors (one per
     * partition it owns): {@code vs[0][0, n)} becomes the sum over ranks in rank order and, within a rank, over its
     * vectors in order; with contiguous partition groups that is partition order, the driver's order.
     */
    void allReduce(double[][] vs, int n, long tag) throws IOException {
        traffic.summed(n);
        if (nodes != null) {
            nodes.allReduce(vs, n, tag);
            return;
        }
        if (hub != null) {
            hub.allReduce(rank, vs, n, tag);
            return;
        }
        if (size == 1) {
            foldAlone(vs, n);
            return;
        }
        tcp.reduceScatter(vs, n, tag);
        tcp.allGather(vs[0], n, ~tag, false, 0.0);
    }

    /** One rank: the same "0.0 + x + y ..." as a driver sum (turns -0.0 into 0.0). */
    private static void foldAlone(double[][] vs, int n) {
        double[] v = vs[0];
        for (int i = 0; i < n; i++) {
            double acc = 0.0;
            for (double[] x : vs) acc += x[i];
            v[i] = acc;
        }
    }

    /** First index of rank {@code r}'s chunk of a vector of length {@code n}. */
    int chunkStart(int r, int n) {
        return bound(r, n);
    }

    /**
     * Reduce-scatter only: afterwards this rank's chunk of {@code v} ({@link #chunkStart}) holds the rank-order sum;
     * the rest of {@code v} is untouched. The rank may then rewrite its chunk (e.g. with updated parameters) and
     * call {@link #allGather}.
     */
    void reduceScatter(double[][] vs, int n, long tag) throws IOException {
        traffic.summed(n);
        if (nodes != null) {
            nodes.allReduce(vs, n, tag); // the whole sum: this rank's chunk included
        } else if (hub != null) {
            hub.reduceScatter(rank, vs, n, tag);
        } else if (size == 1) {
            foldAlone(vs, n);
        } else {
            tcp.reduceScatter(vs, n, tag);
        }
    }

    /**
     * {@link #reduceScatter} with float partials {@code hs[j]} as entries {@code [0, w)} of {@code vs[j]}: in one JVM
     * summed widened ({@link LocalHub#reduceScatterSplit}), else widened as {@code 0.0 + h} (the double gradient's
     * bits) and sent as before. The same bits either way.
     */
    void reduceScatterSplit(float[][] hs, int w, double[][] vs, int n, long tag) throws IOException {
        if (nodes == null && hub != null) {
            traffic.summed(n - w / 2); // w floats and n - w doubles, in doubles' bytes
            hub.reduceScatterSplit(rank, hs, w, vs, n, tag);
            return;
        }
        for (int j = 0; j < vs.length; j++) for (int i = 0; i < w; i++) vs[j][i] = 0.0 + hs[j][i];
        reduceScatter(vs, n, tag);
    }

    /**
     * All-gather: every rank's chunk of its {@code v} goes to every rank; {@code extra} travels with it and all
     * ranks' extras are returned in rank order.
     */
    double[] allGather(double[] v, int n, long tag, double extra) throws IOException {
        traffic.gathered(n);
        if (nodes != null) return nodes.allGather(v, n, tag, extra);
        if (hub != null) return hub.allGather(rank, v, n, extra);
        if (size == 1) return new double[] {extra};
        return tcp.allGather(v, n, ~tag, true, extra);
    }

    /**
     * {@link #allGather} of a vector whose entries {@code [0, w)} are {@code head} (a sharded step's parameters, this
     * rank's chunk updated in place) and {@code [w, n)} are in {@code v}: afterwards {@code head} holds every rank's
     * chunk and {@code v[w, n)} too; {@code v[0, w)} is scratch. In one JVM the chunks go straight between the
     * ranks' heads; otherwise this rank's chunk of {@code head} is copied into {@code v} and the others back.
     * {@code head32} (or null): {@code head} rounded to float, this rank's chunk already rounded; completed likewise.
     */
    double[] allGatherSplit(double[] head, float[] head32, int w, double[] v, int n, long tag, double extra)
            throws IOException {
        if (nodes == null && hub != null) {
            traffic.gathered(n); // else counted by allGather below
            return hub.allGatherSplit(rank, head, head32, w, v, n, extra);
        }
        int lo = Math.min(w, bound(rank, n));
        int hi = Math.min(w, bound(rank + 1, n));
        System.arraycopy(head, lo, v, lo, hi - lo);
        double[] squares = allGather(v, n, tag, extra);
        System.arraycopy(v, 0, head, 0, lo);
        System.arraycopy(v, hi, head, hi, w - hi);
        if (head32 != null) org.descent.math.FloatMatrix.toFloat(head, 0, head32, 0, w);
        return squares;
    }

    /** The segment ran to its end on this rank (a close without it counts as a failure: peers are woken). */
    void markDone() {
        done = true;
        if (nodes != null) nodes.markDone();
    }

    /** Executor JVMs of a hierarchical exchange (0: flat). */
    int nodes() {
        return nodes == null ? 0 : nodes.nodes();
    }

    /** In-JVM ranks ({@link #inJvm}): waits for every rank ({@link LocalHub#barrier}). */
    void barrier() throws IOException {
        if (hub == null) throw new IllegalStateException("allreduce rank " + rank + ": a memory barrier needs ranks in one JVM");
        hub.barrier(rank);
    }

    /** In-JVM ranks ({@link #inJvm}): the object they share, made by the first that asks ({@link LocalHub#shared}). */
    <T> T shared(java.util.function.Supplier<T> create) {
        if (hub == null) throw new IllegalStateException("allreduce rank " + rank + ": shared state needs ranks in one JVM");
        return hub.shared(create);
    }

    /** True if the ranks exchange through memory ({@link LocalHub}) rather than TCP. */
    boolean inJvm() {
        return hub != null;
    }

    @Override
    public void close() {
        if (hub != null) {
            if (!done) hub.abort();
            hub.leave();
        }
        if (nodes != null) nodes.close();
        if (tcp != null) tcp.close();
        Sockets.closeAll(peers);
        Sockets.closeQuietly(progressSocket);
    }
}
