package org.descent.job.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

import org.descent.math.scale.FeatureStats;
import org.descent.math.scale.Scaler;

/**
 * The dense features of a {@link RowBlock} when they take at most 256 distinct values (pixels, counts, one-hot flags,
 * ratings): {@code rows x cols} one-byte codes, row-major ((i, j) at {@code i * cols + j}), and a table of the
 * {@code ncodes} values the codes stand for. The block's stored value (i, j), with {@code c = codes[i * cols + j] & 0xff}:
 *
 * <pre>
 *   v = table[c];   scaled: v = (v - offset_j) / scale_j;   float32: v = (float) v
 * </pre>
 *
 * exactly the expression {@link RowBlock#stored} (and the packer's dense fill) applies to each value, so every value,
 * batch and step has the bits the float64 / float32 array held, at an eighth (a quarter) of the bytes: Fashion-MNIST's
 * 60k training rows are 47 MB instead of 376 MB in float64. Unscaled, the look-up reads one table of at most 256
 * values (2 KB, in L1 while a batch is gathered; float32: a float table). Scaled, the gather computes the scaling per
 * value rather than reading a table per feature ({@code cols x 256} values, 1.6 MB at 784 features: measured 3-5 x
 * slower to gather than the plain array, every look-up a cache miss; the division is not).
 *
 * <p>Made by {@link #pack} from coded {@link ParsedChunk}s (their tables merged: the union of their values by bit
 * pattern, 0.0 added when a row leaves features out), or null when the union passes 256: the block is then a plain
 * array. {@link #stored} sets the scaling / width; the codes are shared.
 */
final class CodedRows implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Distinct values one byte names. */
    static final int CODES = 256;

    final int rows;
    final int cols;
    /** Row-major codes: (i, j) at {@code i * cols + j}. */
    private final byte[] codes;
    /** The values the codes stand for (unscaled). */
    private final double[] table;
    /** Unscaled float32: {@code (float) table[c]}; else null. */
    private final float[] t32;
    /** Per-feature scaling (scaled blocks), else null. */
    private final double[] offset;
    private final double[] scale;
    /** Whether the stored values are float32. */
    private final boolean float32;

    private CodedRows(int rows, int cols, byte[] codes, double[] table, double[] offset, double[] scale, boolean float32) {
        this.rows = rows;
        this.cols = cols;
        this.codes = codes;
        this.table = table;
        this.offset = offset;
        this.scale = scale;
        this.float32 = float32;
        if (float32 && offset == null) {
            t32 = new float[table.length];
            for (int c = 0; c < table.length; c++) t32[c] = (float) table[c];
        } else {
            t32 = null;
        }
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
        return new CodedRows(n, cols, codes, Arrays.copyOf(raw, index.size()), null, null, false);
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
        return float32 ? Storage.FLOAT32 : Storage.FLOAT64;
    }

    /**
     * Adds the unscaled values to {@code stats} through the codes: the statistics of {@link #decode}'s block, bit for
     * bit, without its 8 bytes a value (376 MB for Fashion-MNIST's training rows).
     */
    FeatureStats addUnscaledTo(FeatureStats stats) {
        if (offset != null || t32 != null) throw new IllegalStateException("addUnscaledTo: scaled or float32 codes");
        return stats.addRowMajorCoded(codes, table, rows, cols);
    }

    /** Whether the values are scaled (a second scaling is done on plain values: {@link RowBlock#stored}). */
    boolean scaled() {
        return offset != null;
    }

    /** Bytes held: the codes, the table(s) and the scaling. */
    long bytes() {
        return codes.length + 8L * table.length + (t32 != null ? 4L * t32.length : 0) + (offset != null ? 16L * cols : 0);
    }

    /** Stored value of code c at feature j (see the class comment). */
    private double at(int j, int c) {
        if (t32 != null) return t32[c];
        double v = table[c];
        if (offset != null) v = (v - offset[j]) / scale[j];
        return float32 ? (float) v : v;
    }

    /** Value (i, j). */
    double value(int i, int j) {
        return at(j, codes[i * cols + j] & 0xff);
    }

    /** The values as a new float64 row-major array (float32 ones widened exactly). */
    double[] decode() {
        double[] d = new double[codes.length];
        for (int i = 0, p = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++, p++) d[p] = at(j, codes[p] & 0xff);
        }
        return d;
    }

    /**
     * Rows starting at row-major offsets {@code base[0..k)} into batch rows {@code i0..i0+k} of the column-major
     * {@code x} (leading dimension m): {@link RowBlock#gatherRows}' copy, {@link #at} per value, its cases hoisted.
     */
    void gather8(int[] base, int k, double[] x, int i0, int m) {
        double[] t = table;
        for (int j = 0; j < cols; j++) {
            int d = j * m + i0;
            if (t32 != null) {
                for (int q = 0; q < k; q++) x[d + q] = t32[codes[base[q] + j] & 0xff];
            } else if (offset == null) {
                for (int q = 0; q < k; q++) x[d + q] = t[codes[base[q] + j] & 0xff];
            } else {
                double o = offset[j];
                double g = scale[j];
                if (float32) {
                    for (int q = 0; q < k; q++) x[d + q] = (float) ((t[codes[base[q] + j] & 0xff] - o) / g);
                } else {
                    for (int q = 0; q < k; q++) x[d + q] = (t[codes[base[q] + j] & 0xff] - o) / g;
                }
            }
        }
    }

    /** As {@link #gather8(int[], int, double[], int, int)} into a float batch (float64 values rounded). */
    void gather8(int[] base, int k, float[] x, int i0, int m) {
        double[] t = table;
        for (int j = 0; j < cols; j++) {
            int d = j * m + i0;
            if (t32 != null) {
                for (int q = 0; q < k; q++) x[d + q] = t32[codes[base[q] + j] & 0xff];
            } else if (offset == null) {
                for (int q = 0; q < k; q++) x[d + q] = (float) t[codes[base[q] + j] & 0xff];
            } else { // float32 or not: the float of the float64 value
                double o = offset[j];
                double g = scale[j];
                for (int q = 0; q < k; q++) x[d + q] = (float) ((t[codes[base[q] + j] & 0xff] - o) / g);
            }
        }
    }

    /**
     * The rows scaled by {@code scaler} (null: not; a scaled block takes none, {@link RowBlock#stored} rescales plain
     * values) in float64, then stored in {@code storage}: {@link #at} gives each value the expression
     * {@link RowBlock#stored} applies. The codes and the table are shared. A float32 value that overflows is the
     * {@link DataException} {@link RowBlock#stored} throws, naming the first row (of {@code ids}) that holds it.
     */
    CodedRows stored(Scaler scaler, Storage storage, long[] ids) {
        if (scaler != null && offset != null) throw new IllegalStateException("a coded block is scaled once");
        CodedRows out = new CodedRows(rows, cols, codes, table, scaler == null ? offset : scaler.offsets(),
                scaler == null ? scale : scaler.scales(), storage == Storage.FLOAT32);
        if (out.float32) out.refuseOverflow(ids);
        return out;
    }

    /** Throws for the first value (row-major) whose float32 overflows, if a (feature, code) pair in use does. */
    private void refuseOverflow(long[] ids) {
        boolean any = false;
        for (int j = 0; j < (offset == null ? 1 : cols) && !any; j++) {
            for (int c = 0; c < table.length && !any; c++) any = Float.isInfinite((float) at(j, c));
        }
        for (int i = 0, p = 0; any && i < rows; i++) {
            for (int j = 0; j < cols; j++, p++) {
                int c = codes[p] & 0xff;
                if (Float.isInfinite((float) at(j, c))) {
                    double v = offset == null ? table[c] : (table[c] - offset[j]) / scale[j];
                    throw new DataException("row " + ids[i] + " (0-based, input order) has feature value " + v
                            + " at feature " + (j + 1) + ", beyond float32 range; set data.storage = float64"
                            + " (and training.precision = float64) or rescale the feature");
                }
            }
        }
    }
}
