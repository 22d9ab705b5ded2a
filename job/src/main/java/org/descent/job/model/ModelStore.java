package org.descent.job.model;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Saves and loads a model directory on any Hadoop filesystem:
 * <pre>
 * &lt;model-path&gt;/metadata.json   see {@link MetadataJson}
 * &lt;model-path&gt;/params.bin      see {@link ParamsCodec}
 * &lt;model-path&gt;/optimizer.bin   optional, see {@link OptimizerFile} (final optimizer state, for warm starts)
 * </pre>
 * Saving never leaves a half-written model: files go to a hidden temp directory next to the target
 * ({@code .<name>.tmp-<uuid>}), are read back and checked, then the directory is renamed into place.
 * Replacing an existing model (overwrite) renames the old one aside ({@code .<name>.old-<uuid>}),
 * renames the new one in, then deletes the old one; if the second rename fails the old one is put back.
 *
 * <p>On a checksummed filesystem (Hadoop's local one) files are written and read through its raw filesystem:
 * no {@code .crc} sidecars, and a corrupt model is always reported by descent's own check (params.bin's
 * CRC32, metadata.json's validation), never by Hadoop's {@code Checksum error} depending on a sidecar.
 */
public final class ModelStore {
    public static final String METADATA = "metadata.json";
    public static final String PARAMS = "params.bin";
    /** Optional: the final optimizer state ({@link OptimizerFile}), for warm starts. */
    public static final String OPTIMIZER = "optimizer.bin";

    private ModelStore() {}

    /** Fails early when {@code target} exists and overwrite is off (checked again when saving). */
    public static void checkWritable(Configuration conf, String target, boolean overwrite) {
        Path dst = new Path(target);
        try {
            FileSystem fs = dst.getFileSystem(conf);
            if (fs.exists(dst) && !overwrite) {
                throw new ModelOutputExistsException("model output " + fs.makeQualified(dst)
                        + " already exists; choose another output.model-path or set output.overwrite = true");
            }
        } catch (IOException e) {
            throw new ModelFormatException("cannot check model output " + target + ": " + e.getMessage(), e);
        }
    }

    public static void save(Configuration conf, String target, boolean overwrite, ModelMetadata metadata,
                            double[] params) {
        save(conf, target, overwrite, metadata, params, null);
    }

    /** As above, plus {@code optimizer.bin} when {@code optimizerState} is not null. */
    public static void save(Configuration conf, String target, boolean overwrite, ModelMetadata metadata,
                            double[] params, byte[] optimizerState) {
        if (params.length != metadata.numParams()) {
            throw new IllegalArgumentException("metadata says " + metadata.numParams() + " params, got " + params.length);
        }
        Path dst = new Path(target);
        FileSystem fs;
        Path tmp;
        try {
            fs = unchecked(dst.getFileSystem(conf));
            dst = fs.makeQualified(dst);
            Path parent = dst.getParent();
            if (parent == null) {
                throw new ModelFormatException("model output " + target + " has no parent directory");
            }
            fs.mkdirs(parent);
            checkWritable(conf, target, overwrite);
            tmp = new Path(parent, "." + dst.getName() + ".tmp-" + UUID.randomUUID());
        } catch (IOException e) {
            throw new ModelFormatException("cannot prepare model output " + target + ": " + e.getMessage(), e);
        }
        try {
            if (!fs.mkdirs(tmp)) throw new IOException("mkdirs failed for " + tmp);
            write(fs, new Path(tmp, PARAMS), ParamsCodec.encode(params));
            write(fs, new Path(tmp, METADATA), MetadataJson.write(metadata).getBytes(StandardCharsets.UTF_8));
            if (optimizerState != null) write(fs, new Path(tmp, OPTIMIZER), OptimizerFile.encode(optimizerState));
            load(fs, tmp); // read back: what we rename into place is known to load
            moveIntoPlace(fs, tmp, dst);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(fs, tmp);
            if (e instanceof ModelOutputExistsException ex) throw ex;
            throw new ModelFormatException("cannot write model to " + dst + ": " + e.getMessage(), e);
        }
    }

    private static void moveIntoPlace(FileSystem fs, Path tmp, Path dst) throws IOException {
        if (!fs.exists(dst)) {
            if (!fs.rename(tmp, dst)) {
                if (fs.exists(dst)) {
                    throw new ModelOutputExistsException("model output " + dst + " appeared while saving; not replaced");
                }
                throw new IOException("rename " + tmp + " -> " + dst + " failed");
            }
            return;
        }
        Path old = new Path(dst.getParent(), "." + dst.getName() + ".old-" + UUID.randomUUID());
        if (!fs.rename(dst, old)) {
            throw new IOException("cannot move the existing model " + dst + " aside to " + old);
        }
        if (!fs.rename(tmp, dst)) {
            fs.rename(old, dst); // put the previous model back
            throw new IOException("rename " + tmp + " -> " + dst + " failed; previous model restored");
        }
        deleteQuietly(fs, old);
    }

    /** Loads and validates a model directory; every problem is a {@link ModelFormatException} naming the file. */
    public static SavedModel load(Configuration conf, String dir) {
        Path p = new Path(dir);
        try {
            return load(unchecked(p.getFileSystem(conf)), p);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model " + dir + ": " + e.getMessage(), e);
        }
    }

    private static SavedModel load(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            throw new ModelFormatException("model directory " + dir + " does not exist");
        }
        Path metaPath = new Path(dir, METADATA);
        Path paramsPath = new Path(dir, PARAMS);
        ModelMetadata meta = MetadataJson.read(new String(read(fs, metaPath), StandardCharsets.UTF_8), metaPath.toString());
        double[] params = ParamsCodec.decode(read(fs, paramsPath), paramsPath.toString());
        if (params.length != meta.numParams()) {
            throw new ModelFormatException(paramsPath + ": holds " + params.length + " parameters but "
                    + metaPath + " says numParams = " + meta.numParams());
        }
        return new SavedModel(meta, params);
    }

    /** The optimizer state saved with the model in {@code dir}, or null when it has no optimizer.bin. */
    public static byte[] loadOptimizerState(Configuration conf, String dir) {
        Path file = new Path(dir, OPTIMIZER);
        try {
            FileSystem fs = unchecked(file.getFileSystem(conf));
            if (!fs.exists(file)) return null;
            return OptimizerFile.decode(read(fs, file), file.toString());
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code fs} without client-side checksum files: the raw filesystem of a {@link ChecksumFileSystem}
     * (Hadoop's local one), else {@code fs} itself (HDFS checksums blocks itself, with no sidecar files).
     */
    public static FileSystem unchecked(FileSystem fs) {
        return fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    }

    private static byte[] read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        } catch (FileNotFoundException e) {
            throw new ModelFormatException(file + " is missing: not a complete descent model directory");
        }
    }

    private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(bytes);
            out.hsync();
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException ignored) {
            // best effort: a leftover hidden temp directory never shadows a model
        }
    }

    /** The target exists and overwrite is off. */
    public static final class ModelOutputExistsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ModelOutputExistsException(String message) {
            super(message);
        }
    }
}
