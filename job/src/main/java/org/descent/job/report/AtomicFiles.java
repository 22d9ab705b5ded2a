package org.descent.job.report;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Replaces a small file atomically on any Hadoop filesystem: the bytes go to a hidden temp file in
 * the same directory ({@code .<name>.tmp-<uuid>}), then it is renamed onto the target. Where rename
 * does not replace an existing file (HDFS), the old file is deleted first, so a reader sees the old
 * content, the new content or (for that instant on HDFS) no file — never a half-written one.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(bytes);
                out.hsync();
            }
            if (!fs.rename(tmp, target)) {
                fs.delete(target, false);
                if (!fs.rename(tmp, target)) {
                    throw new IOException("rename " + tmp + " -> " + target + " failed");
                }
            }
        } finally {
            if (fs.exists(tmp)) fs.delete(tmp, false);
        }
    }
}
