package org.descent.job.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.descent.job.fault.Faults;

/**
 * A checkpoint directory on any Hadoop filesystem:
 * <pre>
 * &lt;checkpoint.dir&gt;/ckpt-e000002-s00000015/state.bin    see {@link CheckpointCodec}
 * &lt;checkpoint.dir&gt;/ckpt-e000002-s00000015/meta.json
 * &lt;checkpoint.dir&gt;/.ckpt-e000002-s00000015.tmp-&lt;uuid&gt;/  being written (ignored, cleaned up)
 * </pre>
 * Writing: both files go into the hidden temp directory (hsync'ed), which is then renamed to its final
 * name, so a visible {@code ckpt-*} directory is always complete unless the storage itself corrupts it;
 * then only the newest {@code keepLast} are kept. Reading ({@link #newestValid}) walks from the newest
 * cursor down and skips, with a WARN, every checkpoint that fails its integrity check.
 *
 * <p>Fault seam ({@link Faults}): {@code checkpointStaged} when the temp directory is complete, before the rename;
 * {@code checkpointWritten} after it.
 */
public final class CheckpointStore {
    private static final Logger LOG = LogManager.getLogger(CheckpointStore.class);
    public static final String STATE = "state.bin";
    public static final String META = "meta.json";
    private static final Pattern NAME = Pattern.compile("ckpt-e(\\d{6,})-s(\\d{8,})");

    private final FileSystem fs;
    private final Path dir;

    public CheckpointStore(Configuration conf, String dir) {
        Path p = new Path(dir);
        try {
            this.fs = p.getFileSystem(conf);
            this.dir = fs.makeQualified(p);
        } catch (IOException e) {
            throw new CheckpointIoException("cannot open checkpoint directory " + dir + ": " + e.getMessage(), e);
        }
    }

    static String dirName(int epoch, int step) {
        return String.format("ckpt-e%06d-s%08d", epoch, step);
    }

    public Path dir() {
        return dir;
    }

    /** Writes {@code c} atomically (temp directory + rename), then deletes all but the newest {@code keepLast}. */
    public Path write(Checkpoint c, int keepLast) {
        Path target = new Path(dir, c.name());
        Path tmp = new Path(dir, "." + c.name() + ".tmp-" + UUID.randomUUID());
        try {
            fs.mkdirs(dir);
            if (!fs.mkdirs(tmp)) throw new IOException("mkdirs failed for " + tmp);
            byte[] meta = writeState(new Path(tmp, STATE), c);
            write(new Path(tmp, META), meta);
            Faults.hooks().checkpointStaged(c.name());
            if (fs.exists(target)) { // same cursor written before (a resumed run): replace it
                fs.delete(target, true);
            }
            if (!fs.rename(tmp, target)) throw new IOException("rename " + tmp + " -> " + target + " failed");
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new CheckpointIoException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
        LOG.info("checkpoint written: {} (epoch {} step {})", target, c.state().epoch() + 1, c.state().step() + 1);
        retain(keepLast);
        Faults.hooks().checkpointWritten(c.name());
        return target;
    }

    /** The checkpoint directories (complete names only), oldest cursor first. */
    public List<Path> list() {
        List<Path> out = new ArrayList<>();
        try {
            if (!fs.exists(dir)) return out;
            for (FileStatus s : fs.listStatus(dir)) {
                if (s.isDirectory() && NAME.matcher(s.getPath().getName()).matches()) out.add(s.getPath());
            }
        } catch (IOException e) {
            throw new CheckpointIoException("cannot list checkpoint directory " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing((Path p) -> cursor(p)[0]).thenComparing(p -> cursor(p)[1]));
        return out;
    }

    /** The newest checkpoint that passes its integrity check; invalid newer ones are skipped with a WARN. */
    public Optional<Checkpoint> newestValid() {
        List<Path> all = list();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path p = all.get(i);
            try {
                return Optional.of(read(p));
            } catch (CheckpointFormatException | CheckpointIoException e) {
                LOG.warn("skipping invalid checkpoint {}: {}", p, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Reads and verifies one checkpoint directory. */
    public Checkpoint read(Path ckpt) {
        Path metaPath = new Path(ckpt, META);
        Path statePath = new Path(ckpt, STATE);
        CheckpointCodec.Meta meta = CheckpointCodec.decodeMeta(readAll(metaPath), metaPath.toString());
        byte[] state = readAll(statePath);
        if (state.length != meta.stateBytes()) {
            throw new CheckpointFormatException(statePath + ": " + state.length + " bytes, meta.json says "
                    + meta.stateBytes());
        }
        String sha = ConfigHash.sha256(state);
        if (!sha.equals(meta.stateSha256())) {
            throw new CheckpointFormatException(statePath + ": SHA-256 " + sha + " does not match meta.json's "
                    + meta.stateSha256());
        }
        Checkpoint c = CheckpointCodec.decodeState(state, statePath.toString());
        if (c.state().epoch() != meta.epoch() || c.state().step() != meta.step()
                || !c.configHash().equals(meta.configHash())
                || !ckpt.getName().equals(c.name())) {
            throw new CheckpointFormatException(ckpt + ": directory name, meta.json and state.bin disagree on the cursor");
        }
        return c;
    }

    /** Deletes hidden temp directories left by killed writers. */
    public void cleanTemps() {
        try {
            if (!fs.exists(dir)) return;
            for (FileStatus s : fs.listStatus(dir)) {
                String n = s.getPath().getName();
                if (n.startsWith(".ckpt-") && n.contains(".tmp-")) {
                    LOG.info("removing a torn checkpoint write: {}", s.getPath());
                    deleteQuietly(s.getPath());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot clean temp checkpoints in {}: {}", dir, e.getMessage());
        }
    }

    /** Deletes every checkpoint and temp in the directory (train --fresh); other files are left alone. */
    public int deleteAll() {
        cleanTemps();
        List<Path> all = list();
        for (Path p : all) deleteQuietly(p);
        return all.size();
    }

    private void retain(int keepLast) {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keepLast; i++) {
            deleteQuietly(all.get(i));
        }
    }

    private static long[] cursor(Path p) {
        Matcher m = NAME.matcher(p.getName());
        if (!m.matches()) throw new IllegalArgumentException(p.toString());
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private byte[] readAll(Path file) {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        } catch (FileNotFoundException e) {
            throw new CheckpointFormatException(file + " is missing");
        } catch (org.apache.hadoop.fs.ChecksumException e) {
            throw new CheckpointFormatException(file + ": filesystem checksum error: " + e.getMessage());
        } catch (IOException e) {
            throw new CheckpointIoException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Streams state.bin to {@code file} (hsync'ed), hashing it on the way; returns meta.json's bytes. */
    private byte[] writeState(Path file, Checkpoint c) throws IOException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long bytes;
        try (FSDataOutputStream out = fs.create(file, false)) {
            java.security.DigestOutputStream digest = new java.security.DigestOutputStream(
                    new java.io.BufferedOutputStream(out, 1 << 16), sha);
            CheckpointCodec.writeState(c, digest);
            digest.flush();
            bytes = out.getPos();
            out.hsync();
        }
        return CheckpointCodec.encodeMeta(c, bytes, java.util.HexFormat.of().formatHex(sha.digest()), Instant.now());
    }

    private void write(Path file, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(bytes);
            out.hsync();
        }
    }

    private void deleteQuietly(Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.getMessage());
        }
    }
}
