package org.descent.job.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

import org.descent.math.scale.Scaler;

/**
 * The dense features of a {@link RowBlock} when they take at most 256 distinct values (pixels, counts, one-hot flags,
 * ratings): {@code rows x cols} one-byte codes, row-major ((i, j) at {@code i * cols + j}), and a table of what each
 * code stands for, in the block's stored form (float64 or float32, scaled or not):
 *
 * <pre>
 *   value(i, j) = table[tableBase(j) + (codes[i * cols + j] &amp; 0xff)],   tableBase(j) = perColumn ? j * ncodes : 0
 * </pre>
 *
 * Unscaled, one table of {@code ncodes} values serves every feature (2 KB: it stays in L1 while a batch is
 * gathered); scaled, each feature has its own ({@code cols x ncodes}), computed once per (feature, code) with the
 * expression {@link RowBlock#stored} applies to every value ({@code (v - offset_j) / scale_j}, then {@code (float)}
 * for float32). So every value has the bits the float64 / float32 array held, at an eighth (a quarter) of the bytes:
 * Fashion-MNIST's 60k training rows are 47 MB instead of 376 MB in float64.
 *
 * <p>Made by {@link #pack} from coded {@link ParsedChunk}s (their tables merged: the union of their values by bit
 * pattern, 0.0 added when a row leaves features out), or null when the union passes 256: the block is then a plain
 * array. {@link #stored} scales / rounds the table only; the codes are shared.
 */
final class CodedRows implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Distinct values one byte names. */
    static final int CODES = 256;

    final int rows;
    final int cols;
    /** Row-major codes: (i, j) at {@code i * cols + j}. */
    private final byte[] codes;
    /** Entries of each feature's table. */
    private final int ncodes;
    /** Whether each feature has its own table (scaled values), else one table serves all. */
    private final boolean perColumn;
    /** The table in float64, or null. */
    private final double[] t64;
    /** The table in float32, or null. */
    private final float[] t32;

    private CodedRows(int rows, int cols, byte[] codes, int ncodes, boolean perColumn, double[] t64, float[] t32) {
        this.rows = rows;
        this.cols = cols;
        this.codes = codes;
        this.ncodes = ncodes;
        this.perColumn = perColumn;
        this.t64 = t64;
        this.t32 = t32;
    }

    /**
     * The kept rows of {@code chunks} (each row of chunk s kept when {@code placement.keeps(id, part)}), {@code n} of
     * them, as codes into the union of the chunks' tables; null when a chunk is not coded, the union (with 0.0 when a
     * row leaves features out) passes {@link #CODES}, or there is no row. Unscaled float64: {@link #stored} finishes it.
     */
    static CodedRows pack(List<BlockPacker.Placed> chunks, int part, BlockPacker.Placement placement, int cols, int n) {
        if (n == 0) return null;
        HashMap<Long, Integer> index = new HashMap<>();
        double[] raw = new double[CODES];
        byte[][] remap = new byte[chunks.size()][];
        boolean zeros = false;
        for (int s = 0; s < chunks.size(); s++) {
            ParsedChunk c = chunks.get(s).chunk();
            if (!c.codedPages()) return null;
            double[] t = c.codeTable();
            remap[s] = new byte[CODES];
            for (int k = 0; k < t.length; k++) {
                int code = codeOf(index, raw, t[k]);
                if (code < 0) return null;
                remap[s][k] = (byte) code;
            }
            zeros |= !c.dense();
            for (int i = 0; i < c.rows && !zeros; i++) zeros = c.length(i) < cols;
        }
        int zero = zeros ? codeOf(index, raw, 0.0) : 0; // the code a left-out feature gets
        if (zero < 0) return null;
        byte[] codes = new byte[n * cols];
        int r = 0;
        for (int s = 0; s < chunks.size(); s++) {
            BlockPacker.Placed pc = chunks.get(s);
            ParsedChunk c = pc.chunk();
            for (int i = 0; i < c.rows; i++) {
                if (!placement.keeps(pc.id(i), part)) continue;
                int base = r * cols;
                if (zero != 0) Arrays.fill(codes, base, base + cols, (byte) zero);
                if (c.dense()) {
                    c.copyCodes(i, codes, base, Math.min(c.length(i), cols), remap[s]);
                } else {
                    for (int k = 0, len = c.length(i); k < len; k++) codes[base + c.column(i, k)] = remap[s][c.code(i, k)];
                }
                r++;
            }
        }
        return new CodedRows(n, cols, codes, index.size(), false, Arrays.copyOf(raw, index.size()), null);
    }

    /** The code of v (by bit pattern) in the union, added when new; -1 when the union is full. */
    private static int codeOf(HashMap<Long, Integer> index, double[] raw, double v) {
        Long bits = Double.doubleToRawLongBits(v);
        Integer code = index.get(bits);
        if (code != null) return code;
        if (index.size() == CODES) return -1;
        int c = index.size();
        index.put(bits, c);
        raw[c] = v;
        return c;
    }

    Storage storage() {
        return t32 != null ? Storage.FLOAT32 : Storage.FLOAT64;
    }

    /** Bytes held: the codes and the table. */
    long bytes() {
        return codes.length + (t32 != null ? 4L * t32.length : 8L * t64.length);
    }

    private int tableBase(int j) {
        return perColumn ? j * ncodes : 0;
    }

    /** Value (i, j). */
    double value(int i, int j) {
        int t = tableBase(j) + (codes[i * cols + j] & 0xff);
        return t64 != null ? t64[t] : t32[t];
    }

    /** The values as a new float64 row-major array (float32 ones widened exactly). */
    double[] decode() {
        double[] d = new double[codes.length];
        for (int i = 0, p = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++, p++) {
                int t = tableBase(j) + (codes[p] & 0xff);
                d[p] = t64 != null ? t64[t] : t32[t];
            }
        }
        return d;
    }

    /**
     * Rows starting at row-major offsets {@code base[0..k)} into batch rows {@code i0..i0+k} of the column-major
     * {@code x} (leading dimension m): {@link RowBlock#gatherRows}' copy, one table look-up per value.
     */
    void gather8(int[] base, int k, double[] x, int i0, int m) {
        for (int j = 0; j < cols; j++) {
            int d = j * m + i0;
            int tb = tableBase(j);
            if (t64 != null) {
                for (int q = 0; q < k; q++) x[d + q] = t64[tb + (codes[base[q] + j] & 0xff)];
            } else {
                for (int q = 0; q < k; q++) x[d + q] = t32[tb + (codes[base[q] + j] & 0xff)];
            }
        }
    }

    /** As {@link #gather8(int[], int, double[], int, int)} into a float batch (float64 values rounded). */
    void gather8(int[] base, int k, float[] x, int i0, int m) {
        for (int j = 0; j < cols; j++) {
            int d = j * m + i0;
            int tb = tableBase(j);
            if (t32 != null) {
                for (int q = 0; q < k; q++) x[d + q] = t32[tb + (codes[base[q] + j] & 0xff)];
            } else {
                for (int q = 0; q < k; q++) x[d + q] = (float) t64[tb + (codes[base[q] + j] & 0xff)];
            }
        }
    }

    /**
     * The rows scaled by {@code scaler} (null: not) in float64, then stored in {@code storage}: each table entry v
     * becomes {@code (v - offset_j) / scale_j} (one table per feature), then {@code (float)} for float32, the
     * expression {@link RowBlock#stored} applies to each value. The codes are shared. A float32 value that overflows is
     * the {@link DataException} {@link RowBlock#stored} throws, naming the first row (of {@code ids}) that uses it.
     */
    CodedRows stored(Scaler scaler, Storage storage, long[] ids) {
        boolean pc = perColumn || scaler != null;
        double[] offset = scaler == null ? null : scaler.offsets();
        double[] scale = scaler == null ? null : scaler.scales();
        int n = (pc ? cols : 1) * ncodes;
        double[] v = new double[n];
        for (int t = 0; t < n; t++) {
            int j = t / ncodes;
            double cur = t64 != null ? t64[tableBase(j) + t % ncodes] : t32[tableBase(j) + t % ncodes];
            v[t] = scaler == null ? cur : (cur - offset[j]) / scale[j];
        }
        if (storage != Storage.FLOAT32) return new CodedRows(rows, cols, codes, ncodes, pc, v, null);
        float[] f = new float[n];
        boolean overflow = false;
        for (int t = 0; t < n; t++) {
            f[t] = (float) v[t];
            overflow |= Float.isInfinite(f[t]);
        }
        CodedRows out = new CodedRows(rows, cols, codes, ncodes, pc, null, f);
        if (overflow) out.refuseOverflow(v, ids);
        return out;
    }

    /** Throws for the first value (row-major) whose float32 overflowed; {@code v}: the table before rounding. */
    private void refuseOverflow(double[] v, long[] ids) {
        for (int i = 0, p = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++, p++) {
                int t = tableBase(j) + (codes[p] & 0xff);
                if (Float.isInfinite(t32[t])) {
                    throw new DataException("row " + ids[i] + " (0-based, input order) has feature value " + v[t]
                            + " at feature " + (j + 1) + ", beyond float32 range; set data.storage = float64"
                            + " (and training.precision = float64) or rescale the feature");
                }
            }
        }
    }
}
