package org.descent.job.data;

import java.io.Serializable;

/**
 * One valid row between parsing and packing. Sparse when {@code indices != null} (1-based ascending
 * LIBSVM indices, {@code values[k]} at {@code indices[k]}), dense otherwise ({@code values} holds every
 * feature). {@code id} is assigned in the packing pass; {@code sourceId} is the original id column value
 * (scoring only, else null).
 */
final class ParsedRow implements Serializable {
    private static final long serialVersionUID = 1L;

    long id;
    final double label;
    final int[] indices;
    final double[] values;
    final String sourceId;
    /** Declared width (a Spark ML vector's size), or -1: then {@link #width()} is implied by the values. */
    int size = -1;
    /**
     * Dense Parquet rows whose every value came from a column chunk's dictionary: the values' ids and that dictionary
     * ({@code values[k] == dictionary[dictIds[k]]}), which {@link ParsedChunk#add} codes once per id; else null.
     */
    transient int[] dictIds;
    transient double[] dictionary;

    ParsedRow(double label, int[] indices, double[] values, String sourceId) {
        this.label = label;
        this.indices = indices;
        this.values = values;
        this.sourceId = sourceId;
    }

    /** Non-zero feature values of this row. */
    int nonZeros() {
        int n = 0;
        for (double v : values) if (v != 0.0) n++;
        return n;
    }

    /** Feature count this row implies: the largest index (sparse) or the value count (dense). */
    int width() {
        if (size >= 0) return size;
        if (indices != null) return indices.length == 0 ? 0 : indices[indices.length - 1];
        return values.length;
    }
}
