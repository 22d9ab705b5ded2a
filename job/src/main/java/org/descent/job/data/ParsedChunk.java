package org.descent.job.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The valid rows of one run of records (see {@link InputRecord}), parsed once and held compactly until they are packed:
 * labels, optional source ids, and the feature values of all rows back to back in fixed-size pages (no array is ever
 * grown by copying; a row may straddle two pages). Dense rows store their values only; once a sparse row (1-based
 * LIBSVM / sparse-vector indices) arrives, a parallel index array holds every stored value's 1-based feature index
 * (earlier dense rows get 1..len). {@link #stats} is the run's validation record ({@link RunStats}), filled by the
 * same pass. Row k of the chunk gets id {@code plan offset + k} when packed.
 */
final class ParsedChunk implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Values per page: 1 MB of doubles. */
    static final int PAGE = 1 << 17;

    final RunStats stats;
    int rows;
    double[] labels = new double[16];
    /** Original ids (scoring with an id column), else null. */
    String[] sourceIds;
    /** Start of row i's values in the pages; {@code rowStart[rows]} is the end. */
    long[] rowStart = new long[17];
    private final List<double[]> values = new ArrayList<>();
    /** 1-based feature index of every stored value, or null while every row is dense. */
    private List<int[]> indices;

    ParsedChunk(RunStats stats) {
        this.stats = stats;
    }

    /** Appends a valid row (its id is its position in the chunk). */
    void add(ParsedRow r) {
        if (rows == labels.length) {
            labels = java.util.Arrays.copyOf(labels, labels.length * 2);
            rowStart = java.util.Arrays.copyOf(rowStart, labels.length + 1);
            if (sourceIds != null) sourceIds = java.util.Arrays.copyOf(sourceIds, labels.length);
        }
        if (r.sourceId != null && sourceIds == null) sourceIds = new String[labels.length];
        if (sourceIds != null) sourceIds[rows] = r.sourceId;
        labels[rows] = r.label;
        if (r.indices != null && indices == null) indexDenseRows();
        long at = rowStart[rows];
        for (int k = 0; k < r.values.length; k++, at++) {
            int page = (int) (at / PAGE);
            int off = (int) (at % PAGE);
            if (page == values.size()) {
                values.add(new double[PAGE]);
                if (indices != null) indices.add(new int[PAGE]);
            }
            values.get(page)[off] = r.values[k];
            if (indices != null) indices.get(page)[off] = r.indices != null ? r.indices[k] : k + 1;
        }
        rows++;
        rowStart[rows] = at;
    }

    /** Switches to indexed storage: the dense rows so far get indices 1..len. */
    private void indexDenseRows() {
        indices = new ArrayList<>();
        for (int p = 0; p < values.size(); p++) indices.add(new int[PAGE]);
        for (int i = 0; i < rows; i++) {
            for (long at = rowStart[i]; at < rowStart[i + 1]; at++) {
                indices.get((int) (at / PAGE))[(int) (at % PAGE)] = (int) (at - rowStart[i]) + 1;
            }
        }
    }

    /** Stored values of row i (dense: its width; sparse: its entries, zeros included as parsed). */
    int length(int i) {
        return (int) (rowStart[i + 1] - rowStart[i]);
    }

    /** The k-th stored value of row i. */
    double value(int i, int k) {
        long at = rowStart[i] + k;
        return values.get((int) (at / PAGE))[(int) (at % PAGE)];
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

    /** Copies the first {@code n} values of dense row i to {@code dst[off..off+n)} (page-wise arraycopy). */
    void copyDense(int i, double[] dst, int off, int n) {
        long at = rowStart[i];
        while (n > 0) {
            int page = (int) (at / PAGE);
            int from = (int) (at % PAGE);
            int len = Math.min(n, PAGE - from);
            System.arraycopy(values.get(page), from, dst, off, len);
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
