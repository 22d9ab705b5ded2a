package org.descent.math;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Bulk {@code double[]} I/O in {@link DataOutput#writeDouble}'s format (8 big-endian bytes each), through a 64 KiB
 * chunk: the same bytes as a per-element loop, without a call (and, on a {@code ByteArrayOutputStream}, a lock) per
 * value. For parameter and optimizer-state files of millions of values.
 */
public final class BigEndianDoubles {
    private static final int CHUNK = 8192; // doubles per chunk

    private BigEndianDoubles() {}

    /** Writes {@code a[from .. from + n)}. */
    public static void write(DataOutput out, double[] a, int from, int n) throws IOException {
        byte[] buf = new byte[8 * Math.min(CHUNK, Math.max(1, n))];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        for (int i = 0; i < n; ) {
            int c = Math.min(CHUNK, n - i);
            bb.clear();
            bb.asDoubleBuffer().put(a, from + i, c);
            out.write(buf, 0, 8 * c);
            i += c;
        }
    }

    /** Reads {@code n} values into {@code a[from .. from + n)}. */
    public static void read(DataInput in, double[] a, int from, int n) throws IOException {
        byte[] buf = new byte[8 * Math.min(CHUNK, Math.max(1, n))];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        for (int i = 0; i < n; ) {
            int c = Math.min(CHUNK, n - i);
            in.readFully(buf, 0, 8 * c);
            bb.clear();
            bb.asDoubleBuffer().get(a, from + i, c);
            i += c;
        }
    }
}
