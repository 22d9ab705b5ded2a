package org.descent.job.data;

import java.util.List;

/**
 * CSV line: fields split by {@link CsvFields} (Apache Commons CSV, RFC 4180 quoting: a quoted field may
 * hold the delimiter, {@code ""} is a quote inside quotes). The label column goes through {@link LabelRules},
 * the id column is kept as text, every other column is a numeric feature in column order.
 * Blank lines are ignored; the first line of every file is the header when {@code csvHeader}.
 */
final class CsvParser implements RowParser {
    private static final long serialVersionUID = 1L;

    private final CsvLayout layout;
    private final LabelRules labels;
    private final boolean keepIds;
    private final CsvFields splitter;

    CsvParser(CsvLayout layout, LabelRules labels, boolean keepIds) {
        this.layout = layout;
        this.labels = labels;
        this.keepIds = keepIds;
        this.splitter = new CsvFields(layout.delimiter);
    }

    @Override
    public ParsedRow parse(Object payload, boolean firstOfFile) throws BadRow {
        String line = (String) payload;
        if (line.isBlank()) return null;
        String[] fields = splitter.split(line);
        if (firstOfFile && layout.headerFields != null) {
            List<String> expected = layout.headerFields;
            boolean same = fields.length == expected.size();
            for (int i = 0; same && i < fields.length; i++) same = fields[i].equals(expected.get(i));
            if (!same) {
                throw new BadRow(BadRowReason.HEADER_MISMATCH, "header '" + Fields.abbreviate(line)
                        + "' differs from the first file's header");
            }
            return null;
        }
        if (fields.length != layout.columns) {
            throw new BadRow(BadRowReason.COLUMN_COUNT, "expected " + layout.columns + " columns, found " + fields.length);
        }
        double label = Double.NaN;
        String id = null;
        double[] values = new double[layout.featureCount()];
        int k = 0;
        for (int i = 0; i < fields.length; i++) {
            if (i == layout.labelIndex) {
                label = labels.check(Fields.number(fields[i], "label in column '" + Fields.abbreviate(layout.names[i]) + "'"));
            } else if (i == layout.idIndex) {
                id = keepIds ? fields[i] : null;
            } else {
                double v = Fields.number(fields[i], "value in column '" + Fields.abbreviate(layout.names[i]) + "'");
                if (!Double.isFinite(v)) {
                    throw new BadRow(BadRowReason.NON_FINITE, "non-finite value " + v + " in column '" + Fields.abbreviate(layout.names[i]) + "'");
                }
                values[k++] = v;
            }
        }
        return new ParsedRow(label, null, values, id);
    }
}
