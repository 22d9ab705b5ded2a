package org.descent.math.sparse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A gradient whose first block ({@code W_1}, {@code d x k} column-major at offset 0 of the flat buffer) is
 * non-zero only in the rows (features) a sparse step touched, encoded as those rows plus the dense rest:
 *
 * <pre>
 *   int t                         touched rows, ascending
 *   int rows[t]
 *   double values[t * k]          row r's k entries W[rows[r] + j d], j = 0..k-1, row after row
 *   double tail[W - d k]          every parameter after W_1 (biases, deeper layers), dense
 * </pre>
 * little-endian. {@link #addTo} adds an encoded partial into a dense accumulator: adding partials in a fixed
 * order (partition 0, 1, ...) onto a zeroed accumulator gives exactly the bits of adding their dense forms in
 * that order (the rows left out are exact zeros, and {@code a + 0 = a}). {@link #sparseBytes} against
 * {@code 8 W} tells whether this form is cheaper than the dense vector.
 */
public final class RowSparseGradient {
    private static final VarHandle LE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    private RowSparseGradient() {}

    /** Encoded size for {@code t} touched rows. */
    public static long sparseBytes(int t, int d, int k, int size) {
        return 4L + 4L * t + 8L * t * k + 8L * ((long) size - (long) d * k);
    }

    /**
     * The distinct columns of {@code x} in ascending order into {@code out} (length >= d); returns their count.
     * {@code mark} (length >= d, all false on entry) is left all false again.
     */
    public static int touchedRows(SparseRows x, boolean[] mark, int[] out) {
        int[] ptr = x.rowPtr();
        int[] idx = x.colIdx();
        int t = 0;
        for (int p = ptr[0], end = ptr[x.rows()]; p < end; p++) {
            int c = idx[p];
            if (!mark[c]) {
                mark[c] = true;
                out[t++] = c;
            }
        }
        Arrays.sort(out, 0, t);
        for (int i = 0; i < t; i++) mark[out[i]] = false;
        return t;
    }

    /** Encodes {@code grad} (size W, W_1 = d x k at 0) with touched rows {@code rows[0..t)} into a new array. */
    public static byte[] encode(double[] grad, int d, int k, int[] rows, int t) {
        long n = sparseBytes(t, d, k, grad.length);
        if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("sparse gradient of " + n + " bytes");
        ByteBuffer b = ByteBuffer.allocate((int) n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(t);
        for (int r = 0; r < t; r++) b.putInt(rows[r]);
        for (int r = 0; r < t; r++) {
            int f = rows[r];
            for (int j = 0; j < k; j++) b.putDouble(grad[f + j * d]);
        }
        for (int i = d * k; i < grad.length; i++) b.putDouble(grad[i]);
        return b.array();
    }

    /** {@code acc += decode(bytes)}. */
    public static void addTo(byte[] bytes, int d, int k, double[] acc) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int t = b.getInt();
        if (sparseBytes(t, d, k, acc.length) != bytes.length) {
            throw new IllegalArgumentException("sparse gradient of " + bytes.length + " bytes does not match " + t
                    + " rows of " + k + " and " + (acc.length - (long) d * k) + " dense parameters");
        }
        int[] rows = new int[t];
        for (int r = 0; r < t; r++) rows[r] = b.getInt();
        int values = 4 + 4 * t;
        // column by column (ascending addresses in acc); each element still gets one addition per partial
        for (int j = 0; j < k; j++) {
            int col = j * d;
            for (int r = 0, at = values + 8 * j; r < t; r++, at += 8 * k) acc[rows[r] + col] += (double) LE.get(bytes, at);
        }
        for (int i = d * k, at = values + 8 * t * k; i < acc.length; i++, at += 8) acc[i] += (double) LE.get(bytes, at);
    }

    /** Marks the rows of an encoded gradient in {@code index} (the union over several partials, see {@link FeatureIndex}). */
    public static void addRowsTo(byte[] bytes, FeatureIndex index) {
        int t = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (t < 0 || 4L + 4L * t > bytes.length) {
            throw new IllegalArgumentException("sparse gradient of " + bytes.length + " bytes cannot hold " + t + " rows");
        }
        int[] rows = new int[t];
        ByteBuffer.wrap(bytes, 4, 4 * t).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(rows);
        index.add(rows, 0, t);
    }

    /**
     * Reads from {@code le} (the whole parameter vector as little-endian raw doubles) only what a sparse step
     * reads: the touched rows of W_1 and the tail, into {@code params}. The other rows of {@code params} keep
     * stale values that the step never reads (a sparse batch reads W_1 only at its own features).
     */
    public static void readRows(byte[] le, double[] params, int d, int k, int[] rows, int t) {
        if ((long) params.length * 8 != le.length) {
            throw new IllegalArgumentException("readRows: " + params.length + " doubles need " + 8L * params.length
                    + " bytes, got " + le.length);
        }
        for (int r = 0; r < t; r++) {
            for (int j = 0; j < k; j++) {
                int i = rows[r] + j * d;
                params[i] = (double) LE.get(le, i << 3);
            }
        }
        ByteBuffer.wrap(le, d * k * 8, le.length - d * k * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer()
                .get(params, d * k, params.length - d * k);
    }

    /** Zeroes exactly what {@link #encode} read: the touched rows of W_1 and the tail. */
    public static void clear(double[] grad, int d, int k, int[] rows, int t) {
        for (int r = 0; r < t; r++) {
            for (int j = 0; j < k; j++) grad[rows[r] + j * d] = 0.0;
        }
        Arrays.fill(grad, d * k, grad.length, 0.0);
    }
}
