package org.descent.job.data;

import org.apache.spark.api.java.JavaRDD;

/**
 * An opened input: its records (read twice: once to validate and count, once to pack, always
 * through this same RDD so the splits are identical), the parser for them, and how positions are
 * named in messages.
 *
 * @param lineNumbered text input: a position is a 1-based line number ({@code file:line});
 *                     Parquet: a 0-based row index ({@code file row N})
 * @param layoutFeatures feature count fixed by the layout (CSV/Parquet columns), or -1 when the data decide
 * @param uniformWidth  every row must have the same width (dense arrays), checked when inferring
 */
record Source(String path, JavaRDD<Record> records, RowParser parser, boolean lineNumbered, int layoutFeatures,
              boolean uniformWidth) {

    /** @param position 0-based record position within the file */
    String locate(String file, long position) {
        return lineNumbered ? file + ":" + (position + 1) : file + " row " + position + " (0-based)";
    }
}
