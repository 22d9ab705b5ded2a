package org.descent.job.data.idx;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.descent.job.data.DataException;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format): big-endian 32-bit magic {@code 0x0000TTDD}
 * (TT = 0x08 unsigned byte, DD = number of dimensions), then DD big-endian 32-bit sizes, then the data.
 * Images are {@code 0x00000803} (count, rows, cols), labels {@code 0x00000801} (count). Gzip is detected
 * from the content (bytes 1f 8b), so {@code .gz} and plain files both work. Magic, sizes and length are
 * validated; any mismatch is a {@link DataException} naming the file.
 */
public final class IdxReader {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {}

    public static IdxImages readImages(Configuration conf, String path) {
        try (InputStream in = open(conf, path)) {
            return readImages(in, path);
        } catch (IOException e) {
            throw new DataException("cannot read IDX file " + path + ": " + e.getMessage(), e);
        }
    }

    public static byte[] readLabels(Configuration conf, String path) {
        try (InputStream in = open(conf, path)) {
            return readLabels(in, path);
        } catch (IOException e) {
            throw new DataException("cannot read IDX file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads an image file from {@code in} (plain or gzip); {@code name} is used in messages. */
    public static IdxImages readImages(InputStream in, String name) throws IOException {
        DataInputStream d = new DataInputStream(maybeGunzip(in));
        int magic = header(d, name, IMAGES_MAGIC, "image");
        int count = size(d, name, "image count");
        int rows = size(d, name, "row count");
        int cols = size(d, name, "column count");
        long n = (long) count * rows * cols;
        if (n > Integer.MAX_VALUE - 16) {
            throw new DataException("IDX file " + name + " declares " + count + "x" + rows + "x" + cols + " pixels, too many to load");
        }
        byte[] pixels = body(d, name, (int) n);
        assert magic == IMAGES_MAGIC;
        return new IdxImages(count, rows, cols, pixels);
    }

    /** Reads a label file from {@code in} (plain or gzip); {@code name} is used in messages. */
    public static byte[] readLabels(InputStream in, String name) throws IOException {
        DataInputStream d = new DataInputStream(maybeGunzip(in));
        header(d, name, LABELS_MAGIC, "label");
        int count = size(d, name, "label count");
        return body(d, name, count);
    }

    private static InputStream open(Configuration conf, String path) throws IOException {
        Path p = new Path(path);
        var fs = p.getFileSystem(conf);
        if (!fs.exists(p)) throw new DataException("IDX file does not exist: " + path);
        return fs.open(p);
    }

    private static InputStream maybeGunzip(InputStream in) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
        b.mark(2);
        int b0 = b.read();
        int b1 = b.read();
        b.reset();
        return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(b, 1 << 16), 1 << 16) : b;
    }

    private static int header(DataInputStream d, String name, int expected, String kind) throws IOException {
        int magic;
        try {
            magic = d.readInt();
        } catch (EOFException e) {
            throw new DataException("IDX file " + name + " is empty or shorter than its 4-byte header");
        }
        if (magic != expected) {
            throw new DataException(String.format("%s is not an IDX %s file: magic 0x%08x, expected 0x%08x "
                    + "(unsigned bytes, %d dimensions); check the file name/order", name, kind, magic, expected, expected & 0xFF));
        }
        return magic;
    }

    private static int size(DataInputStream d, String name, String what) throws IOException {
        int v;
        try {
            v = d.readInt();
        } catch (EOFException e) {
            throw new DataException("IDX file " + name + " is truncated in its header (" + what + ")");
        }
        if (v <= 0) throw new DataException("IDX file " + name + " has " + what + " " + v + "; it must be positive");
        return v;
    }

    private static byte[] body(DataInputStream d, String name, int n) throws IOException {
        byte[] data = new byte[n];
        int got = 0;
        while (got < n) {
            int r = d.read(data, got, n - got);
            if (r < 0) break;
            got += r;
        }
        if (got < n) throw new DataException("IDX file " + name + " is truncated: header declares " + n + " data bytes, found " + got);
        if (d.read() >= 0) throw new DataException("IDX file " + name + " has bytes after the " + n + " its header declares");
        return data;
    }
}
