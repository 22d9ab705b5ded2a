package org.descent.job.data;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Iterator;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Splits one CSV line into fields with Apache Commons CSV, RFC 4180 rules: a field in double quotes may
 * hold the delimiter, and {@code ""} inside it is one quote; spaces around a field are ignored, every
 * value is trimmed. Lines come from Hadoop's line reader, so a quoted field cannot span lines: an open
 * quote at the end of a line is a bad row ({@link BadRowReason#MALFORMED_CSV}).
 */
final class CsvFields implements Serializable {
    private static final long serialVersionUID = 1L;

    private final char delimiter;
    private transient CSVFormat format;

    CsvFields(char delimiter) {
        this.delimiter = delimiter;
    }

    /** The fields of {@code line} (empty fields kept, so {@code "1,2,"} has three). */
    String[] split(String line) throws BadRow {
        if (format == null) {
            format = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setIgnoreSurroundingSpaces(true)
                    .setTrim(true).setIgnoreEmptyLines(false).get();
        }
        try (CSVParser p = CSVParser.parse(line, format)) {
            Iterator<CSVRecord> it = p.iterator();
            if (!it.hasNext()) return new String[] {""};
            String[] fields = it.next().values();
            if (it.hasNext()) throw new IOException("more than one record on one line");
            return fields;
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new BadRow(BadRowReason.MALFORMED_CSV, "malformed CSV line '" + Fields.abbreviate(line) + "': "
                    + Fields.abbreviate(String.valueOf(rootMessage(e))));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage();
    }
}
