package org.descent.math.sparse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A sparse batch's first layer in a compact local feature space, so that a step's work and memory on an executor
 * are proportional to the features the batch holds, never to {@code d}.
 *
 * <p>The full model's first block is {@code W_1}, {@code d x k} column-major at offset 0 (element (f, j) at
 * {@code f + j d}), followed by a dense tail of {@code tail} parameters. A batch touching the sorted distinct
 * features {@code rows[0..t)} is computed on a network whose input width is {@code cap >= t}: local feature
 * {@code l} stands for global feature {@code rows[l]}, so the compact weights are {@code W_c[l + j cap] =
 * W_1[rows[l] + j d]} and the tail follows at {@code cap k}. Because the remapping is increasing, every row keeps
 * its entries in the same order, and the sparse kernels ({@link SparseKernels}) make exactly the same additions
 * in the same order: the compact gradient's entries equal the full gradient's bit for bit.
 *
 * <p>Call order per step: {@link #distinct} (the batch's features), {@link #remap} (the batch's local indices),
 * {@link #readFull} or {@link #readEncoded} (the compact parameters), the network call, then {@link #encodeRows}
 * (the {@link RowSparseGradient} form, touched rows + tail) or {@link #encodeDense} (all of {@code W}, when that
 * is smaller). All static, no state.
 */
public final class CompactRows {
    private static final VarHandle LE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private CompactRows() {}

    /**
     * The distinct values of {@code idx[from..to)} in ascending order into {@code out} (length >= to - from);
     * returns their count. O(n log n) for n entries, no O(d) memory.
     */
    public static int distinct(int[] idx, int from, int to, int[] out) {
        int n = to - from;
        System.arraycopy(idx, from, out, 0, n);
        Arrays.sort(out, 0, n);
        int t = 0;
        for (int i = 0; i < n; i++) {
            if (t == 0 || out[t - 1] != out[i]) out[t++] = out[i];
        }
        return t;
    }

    /** The sorted distinct features of rows {@code perm[start..start+m)} of {@code block}, as a new array. */
    public static int[] distinctOfRows(SparseRows block, int[] perm, int start, int m) {
        int[] ptr = block.rowPtr();
        int[] idx = block.colIdx();
        int nnz = 0;
        for (int i = 0; i < m; i++) nnz += ptr[perm[start + i] + 1] - ptr[perm[start + i]];
        int[] all = new int[nnz];
        int q = 0;
        for (int i = 0; i < m; i++) {
            int r = perm[start + i];
            int len = ptr[r + 1] - ptr[r];
            System.arraycopy(idx, ptr[r], all, q, len);
            q += len;
        }
        int t = distinct(all, 0, nnz, all);
        return Arrays.copyOf(all, t);
    }

    /** {@code out[p] = l} with {@code rows[l] == idx[p]} for p in {@code [from, to)}; every index must be in rows. */
    public static void remap(int[] idx, int from, int to, int[] rows, int t, int[] out) {
        for (int p = from; p < to; p++) {
            int l = Arrays.binarySearch(rows, 0, t, idx[p]);
            if (l < 0) throw new IllegalStateException("feature " + idx[p] + " is not among the batch's features");
            out[p] = l;
        }
    }

    /**
     * Compact parameters from the whole parameter vector as little-endian raw doubles ({@code le}, {@code 8 W}
     * bytes): rows {@code rows[0..t)} of {@code W_1} and the tail into {@code pc} (width {@code cap}).
     */
    public static void readFull(byte[] le, int d, int k, int[] rows, int t, double[] pc, int cap) {
        long tail = le.length / 8L - (long) d * k;
        if (le.length % 8 != 0 || tail < 0 || (long) cap * k + tail > pc.length) {
            throw new IllegalArgumentException("readFull: " + le.length + " bytes for d=" + d + ", k=" + k + ", cap="
                    + cap + ", buffer " + pc.length);
        }
        for (int j = 0; j < k; j++) {
            long col = (long) j * d;
            int out = j * cap;
            for (int l = 0; l < t; l++) pc[out + l] = (double) LE.get(le, (int) ((rows[l] + col) << 3));
        }
        int base = d * k * 8;
        for (int i = 0; i < tail; i++) pc[cap * k + i] = (double) LE.get(le, base + (i << 3));
    }

    /** As {@link #readFull} from the parameters as doubles ({@code full}: {@code d k + tail} of them). */
    public static void readDense(double[] full, int d, int k, int[] rows, int t, double[] pc, int cap) {
        long tail = full.length - (long) d * k;
        if (tail < 0 || (long) cap * k + tail > pc.length) {
            throw new IllegalArgumentException("readDense: " + full.length + " parameters for d=" + d + ", k=" + k
                    + ", cap=" + cap + ", buffer " + pc.length);
        }
        for (int j = 0; j < k; j++) {
            int col = j * d;
            int out = j * cap;
            for (int l = 0; l < t; l++) pc[out + l] = full[rows[l] + col];
        }
        System.arraycopy(full, d * k, pc, cap * k, (int) tail);
    }

    /**
     * Compact parameters from a {@link RowSparseGradient}-form encoding of the parameters at a SUPERSET of the
     * batch's rows (the driver's union over all partitions): rows {@code rows[0..t)} and the tail into {@code pc}.
     *
     * @throws IllegalStateException when a batch row is missing from the encoding
     */
    public static void readEncoded(byte[] enc, int d, int k, int[] rows, int t, double[] pc, int cap) {
        int u = (int) LE_INT.get(enc, 0);
        long tail = (enc.length - 4L - 4L * u - 8L * u * k) / 8;
        if (u < 0 || tail < 0 || 4L + 4L * u + 8L * u * k + 8 * tail != enc.length || (long) cap * k + tail > pc.length) {
            throw new IllegalArgumentException("readEncoded: " + enc.length + " bytes with " + u + " rows do not fit"
                    + " d=" + d + ", k=" + k + ", cap=" + cap);
        }
        int values = 4 + 4 * u;
        int at = 0;
        for (int l = 0; l < t; l++) {
            while (at < u && (int) LE_INT.get(enc, 4 + 4 * at) < rows[l]) at++;
            if (at == u || (int) LE_INT.get(enc, 4 + 4 * at) != rows[l]) {
                throw new IllegalStateException("the broadcast parameters lack feature " + rows[l]
                        + " that this step reads (the driver's row list is out of step)");
            }
            for (int j = 0; j < k; j++) pc[l + j * cap] = (double) LE.get(enc, values + 8 * (at * k + j));
        }
        int tailAt = values + 8 * u * k;
        for (int i = 0; i < tail; i++) pc[cap * k + i] = (double) LE.get(enc, tailAt + (i << 3));
    }

    /** Zeroes rows {@code [0, t)} of the compact {@code W_c} and the tail of {@code gc} (all a step writes). */
    public static void clear(double[] gc, int k, int t, int cap) {
        for (int j = 0; j < k; j++) Arrays.fill(gc, j * cap, j * cap + t, 0.0);
        Arrays.fill(gc, cap * k, gc.length, 0.0);
    }

    /** {@link RowSparseGradient} form of a compact gradient: its rows {@code rows[0..t)} and its tail. */
    public static byte[] encodeRows(double[] gc, int cap, int d, int k, int[] rows, int t) {
        int tail = gc.length - cap * k;
        long n = RowSparseGradient.sparseBytes(t, d, k, d * k + tail);
        byte[] b = new byte[Math.toIntExact(n)];
        LE_INT.set(b, 0, t);
        for (int l = 0; l < t; l++) LE_INT.set(b, 4 + 4 * l, rows[l]);
        int at = 4 + 4 * t;
        for (int l = 0; l < t; l++) {
            for (int j = 0; j < k; j++, at += 8) LE.set(b, at, gc[l + j * cap]);
        }
        for (int i = 0; i < tail; i++, at += 8) LE.set(b, at, gc[cap * k + i]);
        return b;
    }

    /** The full gradient vector (little-endian raw doubles, {@code 8 (d k + tail)} bytes) of a compact one. */
    public static byte[] encodeDense(double[] gc, int cap, int d, int k, int[] rows, int t) {
        int tail = gc.length - cap * k;
        byte[] b = new byte[Math.multiplyExact(8, d * k + tail)];
        for (int j = 0; j < k; j++) {
            for (int l = 0; l < t; l++) LE.set(b, (rows[l] + j * d) << 3, gc[l + j * cap]);
        }
        for (int i = 0; i < tail; i++) LE.set(b, (d * k + i) << 3, gc[cap * k + i]);
        return b;
    }
}
