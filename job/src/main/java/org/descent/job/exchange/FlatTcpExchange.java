package org.descent.job.exchange;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The flat TCP all-to-all of a {@link Mesh} whose P ranks each hold one socket to every other rank: the
 * fixed-order reduce-scatter and all-gather of its class comment, with one writer thread that sends a round while
 * the calling thread receives it (round r: send to {@code i + r}, receive from {@code i - r}, mod P; no deadlock).
 * Every message starts with the step's tag. Buffers grow to the longest vector seen and are kept.
 *
 * <p>Call order: {@link #reduceScatter} and/or {@link #allGather} once per collective; {@link #close} at the end
 * ({@link Mesh#close}) or by itself after a failed send or an interrupt (wakes the peers, whose reads end).
 */
final class FlatTcpExchange implements AutoCloseable {
    private final int rank;
    private final int size;
    private final SocketChannel[] peers;
    /** Vectors each rank contributes to a reduce-scatter (its partitions; 1 each unless partitions > ranks). */
    private final int[] counts;
    private final ByteBuffer[] sendBuf;
    private final ByteBuffer[] recvBuf;
    private final double[][] pieces;
    private final ExecutorService writer;
    private int length = -1;

    FlatTcpExchange(int rank, int size, SocketChannel[] peers, int[] counts) {
        this.rank = rank;
        this.size = size;
        this.peers = peers;
        this.counts = counts;
        this.sendBuf = new ByteBuffer[size];
        this.recvBuf = new ByteBuffer[size];
        this.pieces = new double[size][];
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "descent-allreduce-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /** First index of chunk {@code c} of a vector of length {@code n} (as {@link Mesh#chunkStart}). */
    private int bound(int c, int n) {
        return (int) ((long) c * n / size);
    }

    /**
     * Afterwards this rank's chunk of {@code vs[0]} holds the sum of every rank's vectors' chunk, rank by rank and
     * within a rank in order, from 0.0; the rest of {@code vs[0]} is untouched.
     */
    void reduceScatter(double[][] vs, int n, long tag) throws IOException {
        if (vs.length != counts[rank]) {
            throw new IllegalArgumentException("allreduce rank " + rank + ": " + vs.length + " vectors, the groups say "
                    + counts[rank]);
        }
        ensureBuffers(n);
        double[] v = vs[0];
        int lo = bound(rank, n);
        int hi = bound(rank + 1, n);
        int len = hi - lo;
        // send chunk `peer` of each of my vectors to its owner (one message); receive the pieces of my chunk.
        Future<?> sent = writer.submit(() -> closingOnFailure(() -> {
            for (int r = 1; r < size; r++) {
                int peer = (rank + r) % size;
                send(peer, vs, bound(peer, n), bound(peer + 1, n), tag, Double.NaN, false);
            }
        }));
        for (int r = 1; r < size; r++) {
            int src = (rank - r + size) % size;
            receive(src, pieces[src], 0, counts[src] * len, tag, false);
        }
        await(sent);
        for (int i = lo; i < hi; i++) {
            double acc = 0.0;
            for (int s = 0; s < size; s++) {
                if (s == rank) {
                    for (double[] x : vs) acc += x[i];
                } else {
                    double[] piece = pieces[s];
                    for (int j = 0, off = i - lo; j < counts[s]; j++, off += len) acc += piece[off];
                }
            }
            v[i] = acc;
        }
    }

    /**
     * Sends this rank's chunk of {@code v} (and {@code extra} when {@code withExtra}) to every other rank and receives
     * theirs into {@code v}; returns every rank's extra in rank order.
     */
    double[] allGather(double[] v, int n, long tag, boolean withExtra, double extra) throws IOException {
        ensureBuffers(n);
        int lo = bound(rank, n);
        int hi = bound(rank + 1, n);
        Future<?> sent = writer.submit(() -> closingOnFailure(() -> {
            double[][] one = {v};
            for (int r = 1; r < size; r++) send((rank + r) % size, one, lo, hi, tag, extra, withExtra);
        }));
        double[] extras = new double[size];
        extras[rank] = extra;
        for (int r = 1; r < size; r++) {
            int src = (rank - r + size) % size;
            extras[src] = receive(src, v, bound(src, n), bound(src + 1, n) - bound(src, n), tag, withExtra);
        }
        await(sent);
        return extras;
    }

    /** Runs a send round; if it fails, closes every peer connection (see {@link Sockets#closingOnFailure}). */
    private Void closingOnFailure(Sockets.Io io) throws IOException {
        return Sockets.closingOnFailure(io, peers);
    }

    /** Buffers for vectors up to {@code n} long, grown only (the sparse steps' vectors change length every step). */
    private void ensureBuffers(int n) {
        if (n <= length) return; // chunks of a shorter vector are no longer (ceil(n / P))
        int maxChunk = 0;
        for (int c = 0; c < size; c++) maxChunk = Math.max(maxChunk, bound(c + 1, n) - bound(c, n));
        for (int p = 0; p < size; p++) {
            if (p == rank) continue;
            int out = Math.max(1, counts[rank]) * maxChunk;
            int in = Math.max(1, counts[p]) * maxChunk;
            sendBuf[p] = ByteBuffer.allocateDirect(16 + 8 * out).order(ByteOrder.LITTLE_ENDIAN);
            recvBuf[p] = ByteBuffer.allocateDirect(16 + 8 * in).order(ByteOrder.LITTLE_ENDIAN);
            pieces[p] = new double[in];
        }
        length = n;
    }

    /** One message: the tag, optionally one extra number, then {@code v[from, to)} of each {@code v} in {@code vs}. */
    private void send(int peer, double[][] vs, int from, int to, long tag, double extra, boolean withExtra)
            throws IOException {
        ByteBuffer b = sendBuf[peer];
        b.clear();
        b.putLong(tag);
        if (withExtra) b.putDouble(extra);
        int head = b.position();
        java.nio.DoubleBuffer d = b.asDoubleBuffer();
        for (double[] v : vs) d.put(v, from, to - from);
        b.limit(head + 8 * vs.length * (to - from)).position(0);
        SocketChannel ch = peers[peer];
        while (b.hasRemaining()) ch.write(b);
    }

    /** Receives one message into {@code dst[off, off + count)}; returns its extra number (NaN without one). */
    private double receive(int src, double[] dst, int off, int count, long tag, boolean withExtra) throws IOException {
        ByteBuffer b = recvBuf[src];
        b.clear().limit((withExtra ? 16 : 8) + 8 * count);
        PeerConnections.readFully(peers[src], b, src);
        b.flip();
        long got = b.getLong();
        if (got != tag) {
            throw new IOException("allreduce rank " + rank + ": rank " + src + " sent step tag " + got + ", expected "
                    + tag + " (the tasks are out of step)");
        }
        double extra = withExtra ? b.getDouble() : Double.NaN;
        b.asDoubleBuffer().get(dst, off, count);
        return extra;
    }

    private void await(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("allreduce rank " + rank + ": interrupted", e);
        } catch (ExecutionException e) {
            close(); // unblock anything still reading
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("allreduce rank " + rank + ": send failed: " + e.getCause(), e.getCause());
        }
    }

    /** Stops the writer and closes the peer sockets: a blocked read or send on either side ends. */
    @Override
    public void close() {
        writer.shutdownNow();
        Sockets.closeAll(peers);
    }
}
