package org.descent.job.exchange;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The driver's address book for allreduce segments (the role of XGBoost's Rabit tracker or Horovod's driver
 * service): each task of a segment connects once, sends {@code (token, segment, stage attempt, rank, P, host,
 * port, JVM id)} and, when all P ranks of that (segment, attempt) have arrived, gets the list of all P addresses
 * (and JVM ids: ranks that share a JVM can exchange through memory, {@link LocalHub}) back.
 * It carries addresses only; gradients go directly between tasks ({@link Mesh}). Costs a few milliseconds per
 * segment, unlike {@code BarrierTaskContext.allGather} (about 1 s per call).
 *
 * <p>Registrations are grouped by stage attempt, so after an executor loss the re-run tasks of the new attempt
 * meet each other and not the dying tasks of the old one. The random token keeps stray connections out.
 */
final class Rendezvous implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Rendezvous.class);
    private static final long MAGIC = 0x64657363656E7452L; // "descentR"
    private static final long DATA_ERROR = 0x64657363656E7444L; // "descentD"
    /** Longest data-error message kept (writeUTF's limit is 64 KiB of modified UTF-8). */
    private static final int MAX_MESSAGE = 8000;

    /** Where tasks find the rendezvous. */
    record Address(String host, int port) implements Serializable {}

    /** What a task's registration returns: every rank's address, and for rank 0 the open progress stream. */
    record Registration(List<InetSocketAddress> peers, List<String> jvms, Socket progressSocket) {}

    /**
     * What the driver's progress queue holds, in the order rank 0 of a segment wrote it: {@link StepRecord}s, an
     * {@link EpochEndRecord} after each epoch a segment of several epochs completes before its last, and a
     * {@link StreamEnd} when rank 0's stream closes (task done or gone).
     */
    sealed interface Progress permits StepRecord, EpochEndRecord, StreamEnd {
        int segment();
    }

    /**
     * One step as rank 0 streams it while the segment runs (so the driver's progress line moves during a long
     * epoch): {@code k} is the step's index within its epoch's part of the segment. Wire format: int k, then
     * {@link StepFigures#write}.
     */
    record StepRecord(int segment, int k, StepFigures figures) implements Progress {

        /** Writes step {@code k}'s record without flushing: rank 0 sends its steps in batches ({@link SegmentRun#record}). */
        static void write(DataOutputStream out, int k, StepFigures figures) throws IOException {
            out.writeInt(k);
            figures.write(out);
        }
    }

    /** Rank 0's progress stream of {@code segment} ended: nothing more of that segment will arrive. */
    record StreamEnd(int segment) implements Progress {}

    /** Data errors tasks reported, by segment (a task's message; the first report wins). */
    private final Map<Integer, String> dataErrors = new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.concurrent.BlockingQueue<Progress> progress = new java.util.concurrent.LinkedBlockingQueue<>();

    private final ServerSocket server;
    private final Address address;
    private final long token = new SecureRandom().nextLong();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "descent-rendezvous");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Group> groups = new HashMap<>();
    /** Rank-0 progress connections being read (closed by {@link #close} if a task never closes its end). */
    private final java.util.Set<Socket> progressSockets = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private static final class Group {
        final Socket[] sockets;
        final String[] hosts;
        final int[] ports;
        final String[] jvms;
        int arrived;

        Group(int size) {
            sockets = new Socket[size];
            hosts = new String[size];
            ports = new int[size];
            jvms = new String[size];
        }
    }

    /** Listens on {@code bindHost} (an ephemeral port) and tells tasks to connect to {@code advertisedHost}. */
    Rendezvous(String bindHost, String advertisedHost) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), 0), 512);
        address = new Address(advertisedHost, server.getLocalPort());
        EpochEndRecord.driverOpened(token);
        pool.execute(this::acceptLoop);
    }

    Address address() {
        return address;
    }

    long token() {
        return token;
    }

    /** What rank 0 of running segments streamed, in arrival order (all segments and attempts). */
    java.util.concurrent.BlockingQueue<Progress> progress() {
        return progress;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                pool.execute(() -> handle(s));
            } catch (IOException e) {
                if (!closed) LOG.warn("allreduce rendezvous: accept failed: {}", e.toString());
            }
        }
    }

    private void handle(Socket s) {
        try {
            s.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            long magic = in.readLong();
            long tok = in.readLong();
            if (magic == DATA_ERROR && tok == token) {
                acceptDataError(s, in);
                return;
            }
            int segment = in.readInt();
            int attempt = in.readInt();
            int rank = in.readInt();
            int size = in.readInt();
            String host = in.readUTF();
            int port = in.readInt();
            String jvm = in.readUTF();
            if (magic != MAGIC || tok != token || size < 1 || rank < 0 || rank >= size) {
                LOG.warn("allreduce rendezvous: refused a connection from {} (not a task of this run)",
                        s.getRemoteSocketAddress());
                s.close();
                return;
            }
            Group complete = null;
            synchronized (groups) {
                Group g = groups.computeIfAbsent(segment + "/" + attempt, k -> new Group(size));
                if (g.sockets.length != size || g.sockets[rank] != null) {
                    LOG.warn("allreduce rendezvous: segment {} attempt {} rank {} registered twice or with P={} (expected {})",
                            segment, attempt, rank, size, g.sockets.length);
                    s.close();
                    return;
                }
                g.sockets[rank] = s;
                g.hosts[rank] = host;
                g.ports[rank] = port;
                g.jvms[rank] = jvm;
                if (++g.arrived == size) {
                    groups.remove(segment + "/" + attempt);
                    complete = g;
                }
            }
            if (complete != null) {
                reply(complete);
                Socket zero = complete.sockets[0];
                pool.execute(() -> readProgress(segment, attempt, zero));
            }
        } catch (IOException e) {
            LOG.warn("allreduce rendezvous: registration from {} failed: {}", s.getRemoteSocketAddress(), e.toString());
            Sockets.closeQuietly(s);
        }
    }

    /** A task's data error: store it, then acknowledge (the task fails only after the driver knows why). */
    private void acceptDataError(Socket s, DataInputStream in) throws IOException {
        try (s) {
            int segment = in.readInt();
            dataErrors.putIfAbsent(segment, in.readUTF());
            s.getOutputStream().write(1);
            s.getOutputStream().flush();
        }
    }

    /** The data error a task of {@code segment} reported, if any. */
    java.util.Optional<String> dataError(int segment) {
        return java.util.Optional.ofNullable(dataErrors.get(segment));
    }

    /**
     * Task side: tells the driver that this task found bad data (a {@code DataException} while its block was
     * computed) and waits for the acknowledgement. Best effort: if the driver cannot be reached, the segment's
     * failure is then treated as any other failure.
     */
    static void reportDataError(Address at, long token, int segment, String message) {
        String m = message == null ? "" : message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(at.host(), at.port()), 10_000);
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            out.writeLong(DATA_ERROR);
            out.writeLong(token);
            out.writeInt(segment);
            out.writeUTF(m);
            out.flush();
            if (s.getInputStream().read() != 1) LOG.warn("allreduce: the driver did not acknowledge a data error report");
        } catch (IOException e) {
            LOG.warn("allreduce: cannot report a data error to the driver at {}:{}: {}", at.host(), at.port(),
                    e.toString());
        }
    }

    /** Sends every rank the address list; closes every socket but rank 0's, which then carries its step records. */
    private static void reply(Group g) {
        for (int r = 0; r < g.sockets.length; r++) {
            Socket sock = g.sockets[r];
            try {
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(sock.getOutputStream()));
                out.writeInt(g.hosts.length);
                for (int i = 0; i < g.hosts.length; i++) {
                    out.writeUTF(g.hosts[i]);
                    out.writeInt(g.ports[i]);
                    out.writeUTF(g.jvms[i]);
                }
                out.flush();
                if (r != 0) sock.close();
            } catch (IOException e) {
                LOG.warn("allreduce rendezvous: could not answer a task: {}", e.toString());
                Sockets.closeQuietly(sock);
            }
        }
    }

    /** Reads rank 0's records until it closes the stream (segment done or task gone), then marks the stream's end. */
    private void readProgress(int segment, int attempt, Socket s) {
        progressSockets.add(s);
        try (Socket sock = s) {
            sock.setSoTimeout(0);
            DataInputStream in = new DataInputStream(new BufferedInputStream(sock.getInputStream()));
            while (!closed) {
                int k = in.readInt();
                progress.add(k < 0 ? EpochEndRecord.read(token, segment, k, in)
                        : new StepRecord(segment, k, StepFigures.read(in)));
            }
        } catch (java.io.EOFException e) {
            // rank 0 finished (or died): the segment's result or its re-run carries on
        } catch (IOException e) {
            if (!closed) LOG.debug("allreduce progress stream of segment {} attempt {} ended: {}", segment, attempt, e.toString());
        } finally {
            progressSockets.remove(s);
            progress.add(new StreamEnd(segment));
        }
    }

    /**
     * Task side: registers and waits (at most {@code timeoutMillis}) for every rank's address, in rank order. Rank 0
     * keeps the connection as its progress stream ({@link StepRecord#write}); the caller closes it.
     */
    static Registration register(Address at, long token, int segment, int attempt, int rank, int size,
                                 String host, int port, int timeoutMillis, String jvm) throws IOException {
        Socket s = new Socket();
        boolean keep = false;
        try {
            s.connect(new InetSocketAddress(at.host(), at.port()), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            out.writeLong(MAGIC);
            out.writeLong(token);
            out.writeInt(segment);
            out.writeInt(attempt);
            out.writeInt(rank);
            out.writeInt(size);
            out.writeUTF(host);
            out.writeInt(port);
            out.writeUTF(jvm);
            out.flush();
            java.io.PushbackInputStream raw = new java.io.PushbackInputStream(s.getInputStream(), 1);
            awaitFirstByte(s, raw, rank, size, at, timeoutMillis);
            DataInputStream in = new DataInputStream(new BufferedInputStream(raw));
            int n = in.readInt();
            if (n != size) throw new IOException("allreduce rendezvous answered with " + n + " ranks, expected " + size);
            List<InetSocketAddress> all = new ArrayList<>(n);
            List<String> jvms = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String h = in.readUTF();
                all.add(InetSocketAddress.createUnresolved(h, in.readInt()));
                jvms.add(in.readUTF());
            }
            keep = rank == 0;
            if (keep) s.setSoTimeout(0);
            return new Registration(all, jvms, keep ? s : null);
        } catch (SocketTimeoutException e) {
            throw new IOException("allreduce rank " + rank + ": not all " + size + " tasks reached the driver's "
                    + "rendezvous " + at.host() + ":" + at.port() + " within " + timeoutMillis / 1000 + " s", e);
        } catch (IOException e) {
            throw new IOException("allreduce rank " + rank + ": rendezvous with the driver at " + at.host() + ":"
                    + at.port() + " failed: " + e.getMessage() + " (executors must reach the driver host; see "
                    + "docs/performance.md)", e);
        } finally {
            if (!keep) Sockets.closeQuietly(s);
        }
    }

    /**
     * Waits for the rendezvous' answer in 1 s slices, so that a task Spark kills (an interrupt) stops waiting at once
     * instead of blocking in a socket read until the timeout. Leaves the first byte unread.
     */
    private static void awaitFirstByte(Socket s, java.io.PushbackInputStream raw, int rank, int size, Address at,
                                       int timeoutMillis) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        s.setSoTimeout(1000);
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IOException("allreduce rank " + rank + ": interrupted while waiting at the rendezvous");
            }
            try {
                int b = raw.read();
                if (b < 0) throw new IOException("allreduce rendezvous closed the connection (another job of this run?)");
                raw.unread(b);
                s.setSoTimeout(timeoutMillis);
                return;
            } catch (SocketTimeoutException e) {
                if (System.currentTimeMillis() >= deadline) {
                    throw new SocketTimeoutException("not all " + size + " tasks reached the driver's rendezvous "
                            + at.host() + ":" + at.port() + " within " + timeoutMillis / 1000 + " s");
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        EpochEndRecord.driverClosed(token);
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        synchronized (groups) {
            for (Group g : groups.values()) {
                for (Socket s : g.sockets) Sockets.closeQuietly(s);
            }
            groups.clear();
        }
        for (Socket s : progressSockets) Sockets.closeQuietly(s);
        pool.shutdownNow();
    }
}
