package org.descent.job.exchange;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The allreduce's peer connections ({@link Mesh}, {@link NodeExchange}): dialing and accepting with a hello (magic,
 * the run's token, the rank), the socket options, and reading a whole buffer with a clear error when a peer goes.
 */
final class PeerConnections {
    private static final long HELLO = 0x64657363656E7448L; // "descentH"

    private PeerConnections() {}

    /** A peer's connection and the rank its hello named. */
    record Hello(SocketChannel channel, int rank) {}

    /** Connects to a peer's listening socket and sends the hello (magic, token, this rank). */
    static SocketChannel dial(InetSocketAddress a, long token, int rank) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            tune(ch);
            ch.connect(new InetSocketAddress(a.getHostString(), a.getPort()));
            ByteBuffer hello = ByteBuffer.allocate(20).putLong(HELLO).putLong(token).putInt(rank).flip();
            while (hello.hasRemaining()) ch.write(hello);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Accepts one peer connection and reads its hello; a wrong magic or token is an error. */
    static Hello accept(ServerSocketChannel server, long token, int rank) throws IOException {
        SocketChannel ch = server.accept();
        tune(ch);
        ByteBuffer hello = ByteBuffer.allocate(20);
        readFully(ch, hello, -1);
        hello.flip();
        if (hello.getLong() != HELLO || hello.getLong() != token) {
            ch.close();
            throw new IOException("allreduce rank " + rank + ": unexpected connection on the peer port; another job "
                    + "may be using it");
        }
        return new Hello(ch, hello.getInt());
    }

    private static void tune(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    }

    static void readFully(SocketChannel ch, ByteBuffer b, int src) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("allreduce: " + (src < 0 ? "a peer" : "rank " + src) + " closed its connection "
                        + "(its task failed or its executor was lost); Spark restarts the stage");
            }
        }
    }
}
