package org.descent.job.cli;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.descent.job.model.ModelStore;

/**
 * An output path of evaluate/predict (any Hadoop filesystem), written atomically: the caller writes to
 * {@link #temp()} (a hidden sibling {@code .<name>.tmp-<uuid>}), then {@link #commit()} renames it onto the
 * target (with --overwrite the old output is moved aside first and removed last, or put back if the
 * rename fails). {@link #abort()} removes the temp path; nothing is ever left at the target on failure.
 */
final class OutputTarget {
    /** The output cannot be written (exists without --overwrite, parent is a file, ...). Exit code 2. */
    static final class OutputException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutputException(String message) {
            super(message);
        }
    }

    private final FileSystem fs;
    private final Path target;
    private final Path temp;
    private final boolean overwrite;

    private OutputTarget(FileSystem fs, Path target, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.overwrite = overwrite;
        this.temp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
    }

    /** Checks the target before any work: not existing (unless overwrite), no ancestor a regular file. */
    static OutputTarget check(Configuration conf, String path, boolean overwrite) {
        try {
            Path p = new Path(path);
            FileSystem fs = ModelStore.unchecked(p.getFileSystem(conf)); // no .crc sidecars on the local FS
            p = fs.makeQualified(p);
            if (p.getParent() == null) throw new OutputException("output " + path + " has no parent directory");
            if (fs.exists(p) && !overwrite) {
                throw new OutputException("output " + p + " already exists; choose another path or pass --overwrite");
            }
            for (Path a = p.getParent(); a != null; a = a.getParent()) {
                if (fs.exists(a)) {
                    if (!fs.getFileStatus(a).isDirectory()) {
                        throw new OutputException("cannot write output " + p + ": " + a
                                + " is a file, not a directory; choose an output path in a directory");
                    }
                    break;
                }
            }
            return new OutputTarget(fs, p, overwrite);
        } catch (IOException e) {
            throw new OutputException("cannot check output " + path + ": " + e.getMessage());
        }
    }

    Path target() {
        return target;
    }

    Path temp() {
        return temp;
    }

    FileSystem fs() {
        return fs;
    }

    /** Creates the parent directories; a failure is an {@link OutputException}. */
    void prepareParent() {
        try {
            if (!fs.mkdirs(target.getParent())) throw new IOException("mkdirs returned false");
        } catch (IOException e) {
            throw new OutputException("cannot create the output directory " + target.getParent() + ": " + e.getMessage());
        }
    }

    void commit() throws IOException {
        commitFrom(temp);
    }

    /**
     * One file from a Spark output directory written to {@link #temp()} with one partition: its single
     * {@code part-*} file is renamed onto the target, then the rest of the temp directory is removed.
     */
    void commitSingleFile() throws IOException {
        Path part = null;
        for (var s : fs.listStatus(temp)) {
            if (s.isFile() && s.getPath().getName().startsWith("part-")) {
                if (part != null) throw new IOException("more than one part file in " + temp);
                part = s.getPath();
            }
        }
        if (part == null) throw new IOException("no part file in " + temp);
        commitFrom(part);
        fs.delete(temp, true);
    }

    private void commitFrom(Path source) throws IOException {
        if (!fs.exists(target)) {
            if (!fs.rename(source, target)) {
                throw new IOException(fs.exists(target) ? "output " + target + " appeared while writing; not replaced"
                        : "rename " + source + " -> " + target + " failed");
            }
            return;
        }
        if (!overwrite) throw new OutputException("output " + target + " appeared while writing; not replaced");
        Path old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
        if (!fs.rename(target, old)) throw new IOException("cannot move the existing output " + target + " aside");
        if (!fs.rename(source, target)) {
            fs.rename(old, target);
            throw new IOException("rename " + source + " -> " + target + " failed; previous output restored");
        }
        fs.delete(old, true);
    }

    void abort() {
        try {
            fs.delete(temp, true);
        } catch (IOException ignored) {
            // best effort; a hidden temp never shadows the output
        }
    }
}
