package org.descent.job.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.descent.job.checkpoint.ConfigHash;
import org.descent.job.model.ModelStore;

/**
 * The model store on any Hadoop filesystem:
 * <pre>
 * &lt;store&gt;/&lt;name&gt;/versions/&lt;version&gt;/    a model directory (metadata.json, params.bin, optimizer.bin?)
 *                                           plus version.json {version, publishedAt, paramsSha256, metrics}
 * &lt;store&gt;/&lt;name&gt;/current                 one line: the current version's name (what consumers read)
 * </pre>
 * Versions are {@code yyyyMMdd'T'HHmmss'Z'} UTC timestamps or given ids ({@code [A-Za-z0-9._-]+}, not
 * starting with a dot). A version directory appears by rename from a hidden temp copy, so it is always
 * complete. {@code current} is rewritten by writing {@code .current.tmp-<uuid>} and renaming it over the old
 * pointer with {@code FileContext.rename(..., Options.Rename.OVERWRITE)} (atomic on HDFS and local
 * filesystems). Where the filesystem does not support an overwriting rename, the fallback deletes the old
 * pointer and renames the new one in: during that window (milliseconds) readers find no {@code current}
 * and must retry.
 */
public final class ModelRegistry {
    private static final Logger LOG = LogManager.getLogger(ModelRegistry.class);
    public static final String CURRENT = "current";
    public static final String VERSION_JSON = "version.json";
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Configuration conf;
    private final FileSystem fs;
    private final Path root;

    public ModelRegistry(Configuration conf, String store, String name) throws IOException {
        if (!VERSION.matcher(name).matches()) {
            throw new IllegalArgumentException("--name '" + name + "' must match [A-Za-z0-9._-]+ (no leading dot)");
        }
        this.conf = conf;
        Path p = new Path(store, name);
        this.fs = ModelStore.unchecked(p.getFileSystem(conf)); // no .crc sidecars on the local filesystem
        this.root = fs.makeQualified(p);
    }

    public static String timestampVersion(Instant t) {
        return STAMP.format(t);
    }

    public static void checkVersion(String v) {
        if (!VERSION.matcher(v).matches()) {
            throw new IllegalArgumentException("--version '" + v + "' must match [A-Za-z0-9._-]+ (no leading dot)");
        }
    }

    public Path root() {
        return root;
    }

    public Path versionDir(String version) {
        return new Path(new Path(root, "versions"), version);
    }

    /** The version {@code current} names, if any (a pointer naming a missing version is an error). */
    public Optional<String> current() throws IOException {
        Path p = new Path(root, CURRENT);
        if (!fs.exists(p)) return Optional.empty();
        String v;
        try (InputStream in = fs.open(p)) {
            v = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        if (!VERSION.matcher(v).matches() || !fs.exists(versionDir(v))) {
            throw new IOException(p + " names '" + v + "', which is not a version in " + new Path(root, "versions"));
        }
        return Optional.of(v);
    }

    public boolean exists(Path p) throws IOException {
        return fs.exists(p);
    }

    /** SHA-256 (hex) of a model directory's params.bin. */
    public String paramsSha(Path modelDir) throws IOException {
        Path p = new Path(modelDir, ModelStore.PARAMS);
        FileSystem pfs = ModelStore.unchecked(p.getFileSystem(conf));
        try (InputStream in = pfs.open(p)) {
            return ConfigHash.sha256(in.readAllBytes());
        }
    }

    /**
     * Copies the model directory {@code candidate} into {@code versions/<version>} (temp copy, version.json,
     * rename) and returns the new directory. The caller has checked that it does not exist.
     */
    public Path addVersion(Path candidate, String version, String paramsSha, Map<String, Double> metrics)
            throws IOException {
        Path versions = new Path(root, "versions");
        fs.mkdirs(versions);
        Path tmp = new Path(versions, "." + version + ".tmp-" + UUID.randomUUID());
        Path target = versionDir(version);
        try {
            FileSystem cfs = ModelStore.unchecked(candidate.getFileSystem(conf));
            if (!FileUtil.copy(cfs, candidate, fs, tmp, false, conf)) throw new IOException("copy to " + tmp + " failed");
            String copied = paramsSha(tmp);
            if (!copied.equals(paramsSha)) throw new IOException("copy of " + candidate + " has another checksum");
            ObjectNode v = MAPPER.createObjectNode();
            v.put("version", version);
            v.put("publishedAt", Instant.now().toString());
            v.put("paramsSha256", paramsSha);
            ObjectNode m = v.putObject("metrics");
            metrics.forEach(m::put);
            writeFile(new Path(tmp, VERSION_JSON), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(v));
            if (!fs.rename(tmp, target)) throw new IOException("rename " + tmp + " -> " + target + " failed");
            return target;
        } catch (IOException | RuntimeException e) {
            fs.delete(tmp, true);
            throw e;
        }
    }

    /** Points {@code current} at {@code version}: temp file, then an overwriting rename (see class doc). */
    public void setCurrent(String version) throws IOException {
        Path pointer = new Path(root, CURRENT);
        Path tmp = new Path(root, "." + CURRENT + ".tmp-" + UUID.randomUUID());
        writeFile(tmp, (version + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            FileContext.getFileContext(pointer.toUri(), conf).rename(tmp, pointer, Options.Rename.OVERWRITE);
        } catch (UnsupportedOperationException | IOException e) {
            LOG.warn("overwriting rename unsupported on {} ({}); using delete + rename", pointer, e.toString());
            fs.delete(pointer, false);
            if (!fs.rename(tmp, pointer)) {
                fs.delete(tmp, false);
                throw new IOException("cannot rename " + tmp + " to " + pointer);
            }
        }
    }

    /** Marker in a version directory: this version has been current once (see {@link #markPromoted}). */
    public static final String PROMOTED = "_PROMOTED";

    /**
     * Records that {@code version} became current. A later re-run of the same retraining (same version id)
     * sees the marker and does nothing, even when a newer version has been promoted since: a stale retry
     * never rolls {@code current} back. (A version added but never promoted, e.g. after a crash between
     * the copy and the pointer update, has no marker and is gated again.)
     */
    public void markPromoted(String version) throws IOException {
        writeFile(new Path(versionDir(version), PROMOTED), new byte[0]);
    }

    public boolean wasPromoted(String version) throws IOException {
        return fs.exists(new Path(versionDir(version), PROMOTED));
    }

    /** The versions, newest first (by version.json's publishedAt, else the directory's modification time). */
    public List<String> versionsNewestFirst() throws IOException {
        Path versions = new Path(root, "versions");
        List<Object[]> found = new ArrayList<>();
        if (!fs.exists(versions)) return List.of();
        for (FileStatus s : fs.listStatus(versions)) {
            String n = s.getPath().getName();
            if (!s.isDirectory() || n.startsWith(".")) continue;
            found.add(new Object[] {n, publishedAt(s)});
        }
        found.sort(Comparator.comparing((Object[] o) -> (Instant) o[1]).thenComparing(o -> (String) o[0]).reversed());
        List<String> out = new ArrayList<>();
        for (Object[] o : found) out.add((String) o[0]);
        return out;
    }

    /** Deletes the oldest versions beyond {@code keep} (0 = keep all); never {@code current}. Returns the deleted. */
    public List<String> retain(int keep) throws IOException {
        List<String> deleted = new ArrayList<>();
        if (keep <= 0) return deleted;
        String cur = current().orElse(null);
        List<String> all = versionsNewestFirst();
        for (int i = keep; i < all.size(); i++) {
            String v = all.get(i);
            if (v.equals(cur)) continue;
            fs.delete(versionDir(v), true);
            deleted.add(v);
        }
        return deleted;
    }

    /** Where scripts/retrain.sh trains candidates by default: {@code <store>/<name>/candidates}. */
    public Path candidatesDir() {
        return new Path(root, "candidates");
    }

    /**
     * Removes what earlier publishes left behind. Call only while holding the store's lease (so no other
     * publish is running and every temp copy is a dead one's):
     * <ul>
     *   <li>temp copies of a killed publish: {@code versions/.V.tmp-*} and {@code .current.tmp-*};</li>
     *   <li>under {@link #candidatesDir()}, what retraining left for versions already promoted:
     *       {@code V}, {@code V.ckpt}, {@code V.run} (anything named {@code V} or {@code V.*}), never
     *       {@code keep} (the version being published now) or a version that was never promoted.</li>
     * </ul>
     * Returns the removed paths.
     */
    public List<Path> cleanUp(String keep) throws IOException {
        List<Path> removed = new ArrayList<>();
        Path versions = new Path(root, "versions");
        for (Path dir : List.of(versions, root)) {
            if (!fs.exists(dir)) continue;
            for (FileStatus s : fs.listStatus(dir)) {
                String n = s.getPath().getName();
                boolean temp = dir.equals(versions) ? n.startsWith(".") && n.contains(".tmp-")
                        : n.startsWith("." + CURRENT + ".tmp-");
                if (temp && fs.delete(s.getPath(), true)) removed.add(s.getPath());
            }
        }
        Path cands = candidatesDir();
        if (fs.exists(cands)) {
            for (FileStatus s : fs.listStatus(cands)) {
                String n = s.getPath().getName();
                if (n.startsWith(".")) continue;
                int dot = n.indexOf('.');
                String v = dot < 0 ? n : n.substring(0, dot);
                if (v.equals(keep) || !VERSION.matcher(v).matches() || !fs.exists(versionDir(v)) || !wasPromoted(v)) continue;
                if (fs.delete(s.getPath(), true)) removed.add(s.getPath());
            }
        }
        return removed;
    }

    private Instant publishedAt(FileStatus dir) {
        try (InputStream in = fs.open(new Path(dir.getPath(), VERSION_JSON))) {
            JsonNode n = MAPPER.readTree(in);
            return Instant.parse(n.get("publishedAt").asText());
        } catch (IOException | RuntimeException e) {
            return Instant.ofEpochMilli(dir.getModificationTime());
        }
    }

    private void writeFile(Path p, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(bytes);
            out.hsync();
        }
    }
}
