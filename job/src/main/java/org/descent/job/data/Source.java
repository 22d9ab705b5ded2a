package org.descent.job.data;

import org.apache.spark.api.java.JavaRDD;

/**
 * An opened input: its records (read once, {@link Scan#parse}), the parser for them, and how positions are named in
 * messages. The Parquet array layout is parsed per row group instead ({@code rowGroups} set, {@code records} null).
 *
 * @param lineNumbered text input: a position is a 1-based line number ({@code file:line});
 *                     Parquet: a 0-based row index ({@code file row N})
 * @param layoutFeatures feature count fixed by the layout (CSV/Parquet columns), or -1 when the data decide
 * @param uniformWidth  every row must have the same width (dense arrays), checked when inferring
 * @param rowGroups     the row groups to parse ({@link ParquetRowGroups}) instead of {@code records}, or null
 */
record Source(String path, JavaRDD<InputRecord> records, RowParser parser, boolean lineNumbered, int layoutFeatures,
              boolean uniformWidth, ParquetRowGroups.Reads rowGroups) {

    Source(String path, JavaRDD<InputRecord> records, RowParser parser, boolean lineNumbered, int layoutFeatures,
           boolean uniformWidth) {
        this(path, records, parser, lineNumbered, layoutFeatures, uniformWidth, null);
    }

    /** @param position 0-based record position within the file */
    String locate(String file, long position) {
        return lineNumbered ? file + ":" + (position + 1) : file + " row " + position + " (0-based)";
    }
}
