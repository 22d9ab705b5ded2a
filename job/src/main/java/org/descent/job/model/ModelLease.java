package org.descent.job.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One writer per model path: a run holds {@code <parent>/.<name>.lease} from start to end.
 * <ul>
 *   <li><b>Acquire</b>: an atomic create of the lease file (HDFS: create without overwrite, decided by the
 *       NameNode; local filesystem: {@code O_EXCL}) holding {@code {host, pid, processStart, startedAt, token}}.
 *       If it exists and its holder is alive, {@link LeaseHeldException} names the holder (CLI exit 2).</li>
 *   <li><b>Alive</b>: on the holder's own host, its process exists and started when the lease says (a reused
 *       pid is not the holder); on another host, the lease file was renewed (its modification time is set
 *       every {@link #RENEW}) within {@link #STALE_AFTER}.</li>
 *   <li><b>Stale takeover</b>: a contender first takes {@code .<name>.lease.takeover} by the same atomic create
 *       (so two contenders never both take over), re-reads the lease, deletes it only if it still holds the
 *       stale token, creates its own, and removes the takeover file. A takeover file whose own holder is
 *       gone is stale in the same way and removed.</li>
 *   <li><b>Release</b> ({@link #close()}): stops renewing and deletes the lease if it still holds this token.</li>
 * </ul>
 */
public final class ModelLease implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ModelLease.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** How often the holder renews the lease file's modification time. */
    public static final Duration RENEW = Duration.ofSeconds(10);
    /** A lease of another host not renewed for this long is stale. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(60);

    private final FileSystem fs;
    private final Path lease;
    private final String token;
    private final ScheduledExecutorService renewer;

    private ModelLease(FileSystem fs, Path lease, String token) {
        this.fs = fs;
        this.lease = lease;
        this.token = token;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "descent-model-lease");
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleAtFixedRate(this::renew, RENEW.toMillis(), RENEW.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The holder of a lease, as written in the lease file. */
    public record Holder(String host, long pid, String processStart, String startedAt, String token) {
        String describe() {
            return "host " + host + ", pid " + pid + ", started " + startedAt;
        }
    }

    /** Another live run holds the lease. */
    public static final class LeaseHeldException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LeaseHeldException(String message) {
            super(message);
        }
    }

    /** The lease file of {@code modelPath}: a hidden sibling, since the model directory itself is renamed into place. */
    public static Path leasePath(Path modelPath) {
        return new Path(modelPath.getParent(), "." + modelPath.getName() + ".lease");
    }

    /** Takes the lease of {@code modelPath} or throws {@link LeaseHeldException} naming the live holder. */
    public static ModelLease acquire(Configuration conf, String modelPath) {
        Path p = new Path(modelPath);
        try {
            FileSystem fs = p.getFileSystem(conf);
            p = fs.makeQualified(p);
            if (p.getParent() == null) throw new IOException("it has no parent directory");
            fs.mkdirs(p.getParent());
            Path lease = leasePath(p);
            Holder me = self();
            if (create(fs, lease, me)) return new ModelLease(fs, lease, me.token());
            Optional<Holder> holder = read(fs, lease);
            if (holder.isPresent() && alive(fs, lease, holder.get())) throw held(p, lease, holder.get());
            takeOver(fs, lease, holder.orElse(null), me, p);
            LOG.warn("model path {}: took over the stale lease of {} (that run is gone)", p,
                    holder.map(Holder::describe).orElse("an unreadable lease file"));
            return new ModelLease(fs, lease, me.token());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot take the lease of " + modelPath + ": " + e.getMessage(), e);
        }
    }

    private static void takeOver(FileSystem fs, Path lease, Holder stale, Holder me, Path model) throws IOException {
        Path lock = new Path(lease.getParent(), lease.getName() + ".takeover");
        if (!create(fs, lock, me)) {
            Optional<Holder> other = read(fs, lock);
            if (other.isPresent() && alive(fs, lock, other.get())) {
                throw new LeaseHeldException("model output " + model + " is being taken over by another run ("
                        + other.get().describe() + "); only one run may write a model path at a time");
            }
            fs.delete(lock, false); // the taker-over died; retry once
            if (!create(fs, lock, me)) throw new LeaseHeldException("model output " + model + " is being taken over by another run");
        }
        try {
            Optional<Holder> now = read(fs, lease);
            String staleToken = stale == null ? null : stale.token();
            String nowToken = now.map(Holder::token).orElse(null);
            if (now.isPresent() && !nowToken.equals(staleToken)) {
                throw held(model, lease, now.get()); // a new holder since we looked
            }
            fs.delete(lease, false);
            if (!create(fs, lease, me)) {
                throw held(model, lease, read(fs, lease).orElse(new Holder("?", -1, "?", "?", "?")));
            }
        } finally {
            fs.delete(lock, false);
        }
    }

    private static LeaseHeldException held(Path model, Path lease, Holder h) {
        return new LeaseHeldException("model output " + model + " is being written by another run (" + h.describe()
                + "; lease " + lease + "); only one run may write a model path at a time: wait for it, or choose "
                + "another output.model-path");
    }

    static Holder self() throws IOException {
        ProcessHandle me = ProcessHandle.current();
        return new Holder(InetAddress.getLocalHost().getHostName(), me.pid(),
                me.info().startInstant().map(Instant::toString).orElse(""), Instant.now().toString(),
                UUID.randomUUID().toString());
    }

    /** Is the holder of {@code file} alive: by process on this host, by renewal age elsewhere. */
    static boolean alive(FileSystem fs, Path file, Holder h) throws IOException {
        if (h.host().equals(self().host())) {
            Optional<ProcessHandle> p = ProcessHandle.of(h.pid());
            if (p.isEmpty() || !p.get().isAlive()) return false;
            String started = p.get().info().startInstant().map(Instant::toString).orElse("");
            return h.processStart().isEmpty() || started.isEmpty() || started.equals(h.processStart());
        }
        FileStatus st;
        try {
            st = fs.getFileStatus(file);
        } catch (FileNotFoundException e) {
            return false;
        }
        return System.currentTimeMillis() - st.getModificationTime() < STALE_AFTER.toMillis();
    }

    /** Atomic create-if-absent with the holder record; false when the file exists. */
    private static boolean create(FileSystem fs, Path file, Holder h) throws IOException {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("host", h.host());
        n.put("pid", h.pid());
        n.put("processStart", h.processStart());
        n.put("startedAt", h.startedAt());
        n.put("token", h.token());
        byte[] bytes = MAPPER.writeValueAsBytes(n);
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            // Hadoop's local create(overwrite=false) checks, then opens: not atomic. O_EXCL is.
            java.nio.file.Path local = java.nio.file.Path.of(file.toUri());
            try (OutputStream out = Files.newOutputStream(local, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(bytes);
            } catch (FileAlreadyExistsException e) {
                return false;
            }
            return true;
        }
        try (OutputStream out = fs.create(file, false)) {
            out.write(bytes);
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(file)) return false; // e.g. HDFS AlreadyBeingCreatedException wrapped in a RemoteException
            throw e;
        }
        return true;
    }

    /** The holder in {@code file}; empty when it is gone or unreadable (a torn write of a crashed holder). */
    static Optional<Holder> read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            JsonNode n = MAPPER.readTree(in.readAllBytes());
            return Optional.of(new Holder(n.get("host").asText(), n.get("pid").asLong(), n.get("processStart").asText(),
                    n.get("startedAt").asText(), n.get("token").asText()));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            if (!fs.exists(file)) return Optional.empty();
            // written by a holder that crashed mid-write, or being written right now: judge it by its age
            FileStatus st = fs.getFileStatus(file);
            if (System.currentTimeMillis() - st.getModificationTime() < STALE_AFTER.toMillis()) {
                return Optional.of(new Holder("?", -1, "", "?", "?"));
            }
            return Optional.empty();
        }
    }

    private void renew() {
        try {
            fs.setTimes(lease, System.currentTimeMillis(), -1);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot renew the model lease {}: {}", lease, e.toString());
        }
    }

    /** Stops renewing and deletes the lease file if it is still this run's. */
    @Override
    public void close() {
        renewer.shutdownNow();
        try {
            Optional<Holder> h = read(fs, lease);
            if (h.isPresent() && h.get().token().equals(token)) fs.delete(lease, false);
        } catch (IOException e) {
            LOG.warn("cannot release the model lease {}: {}", lease, e.toString());
        }
    }
}
