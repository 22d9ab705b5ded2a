package org.descent.job.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The valid rows of one run of records (see {@link InputRecord}), parsed once and held compactly until they are packed:
 * labels, optional source ids, and the feature values of all rows back to back in fixed-size pages (no array is ever
 * grown by copying; a row may straddle two pages). Dense rows store their values only; once a sparse row (1-based
 * LIBSVM / sparse-vector indices) arrives, a parallel index array holds every stored value's 1-based feature index
 * (earlier dense rows get 1..len). {@link #stats} is the run's validation record ({@link RunStats}), filled by the
 * same pass. Row k of the chunk gets id {@code plan offset + k} when packed, unless {@link #rowIds} names them.
 *
 * <p><b>Value width.</b> While the chunk holds at most 256 distinct values (bit patterns: pixels scaled by any factor,
 * counts, one-hot flags, ratings) the pages hold one-byte codes into a table of them; at the 257th the codes become
 * float32 pages if every value so far is exactly a float32 ({@code (float) v == v}), else float64 pages. Float32
 * pages switch to float64 (converting what they hold) at the first value that is not exact. Every way
 * {@link #value} returns the parsed double exactly, so the blocks packed from a chunk have the same bits; the codes
 * take an eighth of float64 (Fashion-MNIST's pixels, byte / 255.0, are not float32: 440 MB of float64 pages at the
 * data stage's peak, next to the packed blocks, became 55 MB) and of the bytes the rows spill or shuffle.
 */
final class ParsedChunk implements Serializable {
    private static final long serialVersionUID = 4L;
    /** Values per page: 128 KB of codes, 512 KB of floats, 1 MB of doubles. */
    static final int PAGE = 1 << 17;

    /** The run's validation record; null for a chunk split off for one partition ({@link #rowIds} set). */
    final RunStats stats;
    int rows;
    double[] labels = new double[16];
    /** Original ids (scoring with an id column), else null. */
    String[] sourceIds;
    /** Row ids of a chunk split off for one partition (ascending), else null: ids come from the plan. */
    long[] rowIds;
    /** Start of row i's values in the pages; {@code rowStart[rows]} is the end. */
    long[] rowStart = new long[17];
    /** Code pages (indices into {@link #table}) while there are at most {@link CodeTable#CODES} distinct values, else null. */
    private List<byte[]> codes = new ArrayList<>();
    /** The values the codes stand for (null after the codes). */
    private CodeTable table = new CodeTable();
    /**
     * Code + 1 of each id of {@link #idsOf} (0: not looked up yet), for rows that carry dictionary ids
     * ({@link ParsedRow#dictIds}): each id's value is hashed once per dictionary instead of once per value.
     */
    private transient double[] idsOf;
    private transient short[] idCodes;
    /** Float32 pages after the codes while every value is exactly a float32 (then {@link #doubles} is null), else null. */
    private List<float[]> floats;
    private List<double[]> doubles;
    /** 1-based feature index of every stored value, or null while every row is dense. */
    private List<int[]> indices;

    ParsedChunk(RunStats stats) {
        this.stats = stats;
    }

    /** Appends a valid row (its id is its position in the chunk). */
    void add(ParsedRow r) {
        startRow(r.label, r.sourceId, r.indices != null);
        long at = rowStart[rows];
        int k = codes == null || indices != null ? 0 // the common case, a page at a time
                : addCodes(r.values, r.dictIds, r.dictionary, at);
        at += k;
        for (; k < r.values.length; k++, at++) put(at, r.values[k], r.indices != null ? r.indices[k] : k + 1);
        endRow(at);
    }

    /**
     * Stores the codes of a dense row's values from position {@code at} (what {@link #put} does value by value, without
     * its per-value page arithmetic) while each value has a code; returns how many it stored (the rest go through
     * {@link #put}). {@code ids}: null, or the values' dictionary ids ({@code v[k] == dict[ids[k]]}), whose codes are
     * then looked up once per id ({@link #idCodes}).
     */
    private int addCodes(double[] v, int[] ids, double[] dict, long at) {
        if (ids != null && dict != idsOf) {
            idsOf = dict;
            idCodes = new short[dict.length];
        }
        int k = 0;
        while (k < v.length) {
            int page = (int) (at / PAGE);
            int off = (int) (at % PAGE);
            if (page == codes.size()) {
                codes.add(new byte[PAGE]);
            }
            int len = Math.min(v.length - k, PAGE - off);
            byte[] cp = codes.get(page);
            int stored = ids == null ? codeRun(v, k, cp, off, len) : idCodeRun(v, ids, k, cp, off, len);
            if (stored < len) return k + stored;
            k += len;
            at += len;
        }
        return k;
    }

    /**
     * Codes {@code v[k, k + len)} into {@code cp[off, ...)}; returns how many had a code. A run of equal values (e.g.
     * zeros) looks its code up once.
     */
    private int codeRun(double[] v, int k, byte[] cp, int off, int len) {
        long prevBits = 0x7ff8000000000001L; // a NaN: never a parsed value of a valid row
        int prevCode = -1;
        for (int j = 0; j < len; j++) {
            long bits = Double.doubleToRawLongBits(v[k + j]);
            if (bits != prevBits) {
                prevCode = table.code(v[k + j]);
                if (prevCode < 0) return j;
                prevBits = bits;
            }
            cp[off + j] = (byte) prevCode;
        }
        return len;
    }

    /**
     * {@link #codeRun} for values {@code dict[ids[k]]}: an id's code is {@link CodeTable#code} of its value, looked up the first
     * time the id occurs (so the table gets its values in the same order of first appearance, and the same codes)
     * and read from {@link #idCodes} after that.
     */
    private int idCodeRun(double[] v, int[] ids, int k, byte[] cp, int off, int len) {
        short[] ic = idCodes;
        for (int j = 0; j < len; j++) {
            int id = ids[k + j];
            int c = ic[id] - 1;
            if (c < 0) {
                c = table.code(v[k + j]);
                if (c < 0) return j;
                ic[id] = (short) (c + 1);
            }
            cp[off + j] = (byte) c;
        }
        return len;
    }

    /** Appends row i of {@code src} with id {@code id} (a chunk split off for one partition). */
    void addRowOf(ParsedChunk src, int i, long id) {
        if (rowIds == null) rowIds = new long[labels.length];
        startRow(src.labels[i], src.sourceIds == null ? null : src.sourceIds[i], !src.dense());
        rowIds[rows] = id;
        long at = rowStart[rows];
        for (int k = 0, len = src.length(i); k < len; k++, at++) put(at, src.value(i, k), src.column(i, k) + 1);
        endRow(at);
    }

    private void startRow(double label, String sourceId, boolean sparse) {
        if (rows == labels.length) {
            labels = Arrays.copyOf(labels, labels.length * 2);
            rowStart = Arrays.copyOf(rowStart, labels.length + 1);
            if (sourceIds != null) sourceIds = Arrays.copyOf(sourceIds, labels.length);
            if (rowIds != null) rowIds = Arrays.copyOf(rowIds, labels.length);
        }
        if (sourceId != null && sourceIds == null) sourceIds = new String[labels.length];
        if (sourceIds != null) sourceIds[rows] = sourceId;
        labels[rows] = label;
        if (sparse && indices == null) indexDenseRows();
    }

    private void endRow(long at) {
        rows++;
        rowStart[rows] = at;
    }

    /** Stores value v with 1-based feature index {@code index} at position {@code at}, adding a page when needed. */
    private void put(long at, double v, int index) {
        int page = (int) (at / PAGE);
        int off = (int) (at % PAGE);
        if (page == pages()) {
            if (codes != null) codes.add(new byte[PAGE]);
            else if (doubles != null) doubles.add(new double[PAGE]);
            else floats.add(new float[PAGE]);
            if (indices != null) indices.add(new int[PAGE]);
        }
        if (indices != null) indices.get(page)[off] = index;
        if (codes != null) {
            int code = table.code(v);
            if (code >= 0) {
                codes.get(page)[off] = (byte) code;
                return;
            }
            uncode();
        }
        if (doubles == null) {
            float f = (float) v;
            if (f == v) { // exact (-0.0 included: its float keeps the sign); NaN never reaches a valid row
                floats.get(page)[off] = f;
            } else {
                widen();
                doubles.get(page)[off] = v;
            }
        } else {
            doubles.get(page)[off] = v;
        }
    }

    private int pages() {
        return codes != null ? codes.size() : doubles != null ? doubles.size() : floats.size();
    }

    /** Leaves the codes (a 257th distinct value): float32 pages if every coded value is one, else float64. */
    private void uncode() {
        double[] table = this.table.values;
        if (this.table.floats()) {
            floats = new ArrayList<>(codes.size());
            for (byte[] cp : codes) {
                float[] fp = new float[cp.length];
                for (int k = 0; k < cp.length; k++) fp[k] = (float) table[cp[k] & 0xff];
                floats.add(fp);
            }
        } else {
            doubles = new ArrayList<>(codes.size());
            for (byte[] cp : codes) {
                double[] dp = new double[cp.length];
                for (int k = 0; k < cp.length; k++) dp[k] = table[cp[k] & 0xff];
                doubles.add(dp);
            }
        }
        codes = null;
        this.table = null;
        idsOf = null;
        idCodes = null;
    }

    /** Switches to float64 pages: the float32 pages so far are converted (exactly). */
    private void widen() {
        doubles = new ArrayList<>(floats.size());
        for (float[] fp : floats) {
            double[] dp = new double[fp.length];
            for (int k = 0; k < fp.length; k++) dp[k] = fp[k];
            doubles.add(dp);
        }
        floats = null;
    }

    /** Switches to indexed storage: the dense rows so far get indices 1..len. */
    private void indexDenseRows() {
        indices = new ArrayList<>();
        for (int p = 0; p < pages(); p++) indices.add(new int[PAGE]);
        for (int i = 0; i < rows; i++) {
            for (long at = rowStart[i]; at < rowStart[i + 1]; at++) {
                indices.get((int) (at / PAGE))[(int) (at % PAGE)] = (int) (at - rowStart[i]) + 1;
            }
        }
    }

    /**
     * Cuts the last page (and the row arrays) to what is used, for a chunk that is complete and will be shipped or
     * cached: a split-off chunk of a few rows would otherwise carry a whole page.
     */
    ParsedChunk trimmed() {
        labels = Arrays.copyOf(labels, rows);
        rowStart = Arrays.copyOf(rowStart, rows + 1);
        if (sourceIds != null) sourceIds = Arrays.copyOf(sourceIds, rows);
        if (rowIds != null) rowIds = Arrays.copyOf(rowIds, rows);
        int last = pages() - 1;
        if (last < 0) return this;
        int used = (int) (rowStart[rows] - (long) last * PAGE);
        if (codes != null) codes.set(last, Arrays.copyOf(codes.get(last), used));
        else if (doubles != null) doubles.set(last, Arrays.copyOf(doubles.get(last), used));
        else floats.set(last, Arrays.copyOf(floats.get(last), used));
        if (indices != null) indices.set(last, Arrays.copyOf(indices.get(last), used));
        return this;
    }

    /** Id of row i: from {@link #rowIds}, else {@code firstId + i}. */
    long id(int i, long firstId) {
        return rowIds != null ? rowIds[i] : firstId + i;
    }

    /** Whether the values are held in float32 pages or codes (no float64 page). */
    boolean floatPages() {
        return doubles == null;
    }

    /** Whether the values are held as codes (at most 256 distinct values so far). */
    boolean codedPages() {
        return codes != null;
    }

    /** The coded values ({@link #codedPages} only): code c stands for {@code codeTable()[c]} (a copy). */
    double[] codeTable() {
        return table.copy();
    }

    /**
     * The codes of the first {@code n} stored values of row i ({@link #codedPages} only), each mapped through
     * {@code remap} (chunk code -> block code), to {@code dst[off..off+n)} (page-wise).
     */
    void copyCodes(int i, byte[] dst, int off, int n, byte[] remap) {
        long at = rowStart[i];
        while (n > 0) {
            int page = (int) (at / PAGE);
            int from = (int) (at % PAGE);
            int len = Math.min(n, PAGE - from);
            byte[] src = codes.get(page);
            for (int k = 0; k < len; k++) dst[off + k] = remap[src[from + k] & 0xff];
            at += len;
            off += len;
            n -= len;
        }
    }

    /** The code of the k-th stored value of row i ({@link #codedPages} only). */
    int code(int i, int k) {
        long at = rowStart[i] + k;
        return codes.get((int) (at / PAGE))[(int) (at % PAGE)] & 0xff;
    }

    /** Stored values of row i (dense: its width; sparse: its entries, zeros included as parsed). */
    int length(int i) {
        return (int) (rowStart[i + 1] - rowStart[i]);
    }

    /** The k-th stored value of row i. */
    double value(int i, int k) {
        long at = rowStart[i] + k;
        int page = (int) (at / PAGE);
        int off = (int) (at % PAGE);
        if (codes != null) return table.values[codes.get(page)[off] & 0xff];
        return doubles != null ? doubles.get(page)[off] : floats.get(page)[off];
    }

    /** The 0-based feature of the k-th stored value of row i. */
    int column(int i, int k) {
        if (indices == null) return k;
        long at = rowStart[i] + k;
        return indices.get((int) (at / PAGE))[(int) (at % PAGE)] - 1;
    }

    /** Whether every row is dense (value k is feature k). */
    boolean dense() {
        return indices == null;
    }

    /** Copies the first {@code n} values of dense row i to {@code dst[off..off+n)} (page-wise). */
    void copyDense(int i, double[] dst, int off, int n) {
        long at = rowStart[i];
        while (n > 0) {
            int page = (int) (at / PAGE);
            int from = (int) (at % PAGE);
            int len = Math.min(n, PAGE - from);
            if (codes != null) {
                byte[] src = codes.get(page);
                double[] t = table.values;
                for (int k = 0; k < len; k++) dst[off + k] = t[src[from + k] & 0xff];
            } else if (doubles != null) {
                System.arraycopy(doubles.get(page), from, dst, off, len);
            } else {
                float[] src = floats.get(page);
                for (int k = 0; k < len; k++) dst[off + k] = src[from + k];
            }
            at += len;
            off += len;
            n -= len;
        }
    }

    /** Non-zero stored values of row i. */
    int nonZeros(int i) {
        int n = 0;
        for (int k = 0, len = length(i); k < len; k++) if (value(i, k) != 0.0) n++;
        return n;
    }
}
