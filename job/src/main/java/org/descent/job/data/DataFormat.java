package org.descent.job.data;

/** Input formats {@code train}, {@code evaluate} and {@code predict} read. */
public enum DataFormat {
    /** {@code label idx:value idx:value ...}, 1-based ascending indices. */
    LIBSVM,
    /** Delimited text; one label column, every other column a numeric feature. */
    CSV,
    /** Either a features vector/array column plus a label column, or numeric columns. */
    PARQUET
}
