package org.descent.job.exchange;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * The TCP links of one node's leader to the other nodes' leaders in a {@link NodeExchange}. Set up once per segment
 * ({@link #connect}), then used for the leaders' rounds: one message per peer and round, an 8-byte step tag followed
 * by doubles (little-endian), built in and read into a direct buffer per peer and direction that is reused and grows
 * when a message needs more. A failed send round closes every link ({@link #closingOnFailure}), so the receiving
 * thread of this leader and the other leaders' reads fail instead of blocking.
 */
final class LeaderLinks {
    private final int rank;
    private final NodeExchange.Topology topo;
    /** Leaders only: connection to the leader of node d (null for this node); null on non-leaders. */
    private final SocketChannel[] leaders;
    private final ByteBuffer[] sendBuf;
    private final ByteBuffer[] recvBuf;

    LeaderLinks(int rank, NodeExchange.Topology topo, SocketChannel[] leaders) {
        this.rank = rank;
        this.topo = topo;
        this.leaders = leaders;
        int e = topo.nodes();
        this.sendBuf = new ByteBuffer[e];
        this.recvBuf = new ByteBuffer[e];
    }

    /**
     * Leaders only (others get null): connects this node's leader to every other node's leader over {@code server}
     * (dials the leaders of lower nodes, accepts those of higher ones), with {@link Mesh}'s hello; the result is
     * {@code leaders} for {@link NodeExchange}'s constructor.
     */
    static SocketChannel[] connect(ServerSocketChannel server, List<InetSocketAddress> all, NodeExchange.Topology topo,
                                   int rank, long token) throws IOException {
        int me = topo.nodeOf()[rank];
        if (topo.leader(me) != rank) return null;
        SocketChannel[] lead = new SocketChannel[topo.nodes()];
        try {
            for (int d = 0; d < me; d++) lead[d] = PeerConnections.dial(all.get(topo.leader(d)), token, rank);
            for (int k = me + 1; k < topo.nodes(); k++) {
                PeerConnections.Hello h = PeerConnections.accept(server, token, rank);
                int from = h.rank();
                int d = from >= 0 && from < topo.nodeOf().length ? topo.nodeOf()[from] : -1;
                if (d <= me || topo.leader(d) != from || lead[d] != null) {
                    h.channel().close();
                    throw new IOException("allreduce rank " + rank + ": unexpected connection (rank " + from
                            + ") on the peer port; another job may be using it");
                }
                lead[d] = h.channel();
            }
            return lead;
        } catch (IOException | RuntimeException e) {
            for (SocketChannel ch : lead) {
                if (ch != null) ch.close();
            }
            throw e;
        }
    }

    /** The cleared send buffer for node d's leader, with room for {@code bytes} (tag and values). */
    ByteBuffer sendBuffer(int d, long bytes) {
        return buffer(sendBuf, d, bytes);
    }

    private static ByteBuffer buffer(ByteBuffer[] bufs, int d, long bytes) {
        if (bytes > Integer.MAX_VALUE) throw new IllegalStateException("allreduce message of " + bytes + " bytes");
        ByteBuffer b = bufs[d];
        if (b == null || b.capacity() < bytes) {
            long grown = b == null ? bytes : Math.max(bytes, Math.min(Integer.MAX_VALUE, 2L * b.capacity()));
            b = ByteBuffer.allocateDirect((int) grown).order(ByteOrder.LITTLE_ENDIAN);
            bufs[d] = b;
        }
        b.clear();
        return b;
    }

    /** Sends the tag and {@code doubles} values put into {@code b} (through a double view) to node d's leader. */
    void write(int d, ByteBuffer b, int doubles) throws IOException {
        b.limit(8 + 8 * doubles).position(0);
        while (b.hasRemaining()) leaders[d].write(b);
    }

    double[] read(int d, long tag, int doubles) throws IOException {
        ByteBuffer b = buffer(recvBuf, d, 8 + 8L * doubles);
        b.limit(8 + 8 * doubles);
        while (b.hasRemaining()) {
            if (leaders[d].read(b) < 0) {
                throw new IOException("allreduce: the leader of node " + d + " (rank " + topo.leader(d) + ") closed its "
                        + "connection (its task failed or its executor was lost)");
            }
        }
        b.flip();
        long got = b.getLong();
        if (got != tag) {
            throw new IOException("allreduce rank " + rank + ": node " + d + " sent step tag " + got + ", expected " + tag
                    + " (the tasks are out of step)");
        }
        double[] out = new double[doubles];
        b.asDoubleBuffer().get(out);
        return out;
    }

    /** Runs a send round; if it fails, closes the leaders' connections (see {@link Sockets#closingOnFailure}). */
    Void closingOnFailure(Sockets.Io io) throws IOException {
        return Sockets.closingOnFailure(io, leaders);
    }

    /** Closes every connection (nothing on non-leaders). */
    void close() {
        Sockets.closeAll(leaders);
    }
}
