package org.descent.job.data;

import java.io.Serializable;

/**
 * One input record with where it came from: {@code file}, and {@code runStart}, the start of the
 * contiguous run of records it belongs to (text: the byte offset of its Hadoop split; Parquet: the
 * row index of the run's first row). Records of a run arrive consecutively and in file order.
 */
record Record(String file, long runStart, Object payload) implements Serializable {}
