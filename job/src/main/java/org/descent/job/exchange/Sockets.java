package org.descent.job.exchange;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/** Closing helpers shared by the rendezvous, the flat {@link Mesh} and the executor leaders' {@link NodeExchange}. */
final class Sockets {
    private Sockets() {}

    /** One round of socket writes. */
    interface Io {
        void run() throws IOException;
    }

    /**
     * Runs a send round; if it fails, closes every one of {@code channels} so the thread receiving from them cannot
     * stay blocked, and rethrows.
     */
    static Void closingOnFailure(Io io, SocketChannel[] channels) throws IOException {
        try {
            io.run();
            return null;
        } catch (IOException | RuntimeException e) {
            closeAll(channels);
            throw e;
        }
    }

    /** Closes every non-null channel (null array: nothing), ignoring failures. */
    static void closeAll(SocketChannel[] channels) {
        if (channels == null) return;
        for (SocketChannel ch : channels) closeQuietly(ch);
    }

    /** Closes {@code c} if not null, ignoring a failure (the connection is being torn down anyway). */
    static void closeQuietly(Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
