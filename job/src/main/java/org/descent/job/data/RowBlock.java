package org.descent.job.data;

import java.io.Serializable;

/**
 * A partition's rows packed densely for GEMM: {@code features} is {@code rows x cols} column-major
 * (leading dimension {@code rows}; element (i, j) at {@code i + j * rows}), {@code labels[i]} is row
 * i's label (class index or value), {@code ids[i]} a stable global row id (unique in the data set,
 * used to count visits and to carry ids through predict). Cached in executor memory.
 */
public final class RowBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int rows;
    public final int cols;
    public final double[] features;
    public final double[] labels;
    public final long[] ids;

    public RowBlock(int rows, int cols, double[] features, double[] labels, long[] ids) {
        if (features.length != (long) rows * cols || labels.length != rows || ids.length != rows) {
            throw new IllegalArgumentException("RowBlock: rows=" + rows + ", cols=" + cols + ", features="
                    + features.length + ", labels=" + labels.length + ", ids=" + ids.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.features = features;
        this.labels = labels;
        this.ids = ids;
    }
}
