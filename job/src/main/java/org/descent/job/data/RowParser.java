package org.descent.job.data;

import java.io.Serializable;

/** Turns one input record (a text line or a Parquet {@code Row}) into a validated row. */
interface RowParser extends Serializable {
    /**
     * @param payload          the line (String) or Row
     * @param firstOfFile      true for the first record of a file (a CSV header)
     * @return the row, or null when the record holds no data (blank line, header)
     * @throws BadRow          when the record is malformed; the caller adds its location
     */
    ParsedRow parse(Object payload, boolean firstOfFile) throws BadRow;
}
