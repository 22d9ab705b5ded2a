package org.descent.job.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which CSV column is the label, which the id, which are features; resolved once on the driver from
 * the header (or, without a header, from the first line or the configured feature count).
 *
 * <p>Columns are found by name when there is a header, else by 0-based index given as text. Training:
 * a null label column means column 0. Scoring: a null label column, or a name absent from the header,
 * means the file has no labels (labels are NaN).
 */
final class CsvLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    final char delimiter;
    final int columns;
    final int labelIndex;   // -1: no label column
    final int idIndex;      // -1: no id column
    final String[] names;   // header names, or "column <i>"
    final List<String> headerFields; // trimmed header fields, null without header

    private CsvLayout(char delimiter, int columns, int labelIndex, int idIndex, String[] names, List<String> header) {
        this.delimiter = delimiter;
        this.columns = columns;
        this.labelIndex = labelIndex;
        this.idIndex = idIndex;
        this.names = names;
        this.headerFields = header;
    }

    int featureCount() {
        return columns - (labelIndex >= 0 ? 1 : 0) - (idIndex >= 0 ? 1 : 0);
    }

    static char delimiterOf(DataSpec spec) {
        return spec.csvDelimiter() == '\0' ? ',' : spec.csvDelimiter();
    }

    /**
     * @param firstLine first non-blank line of the first file (sorted by path), null when there is none
     * @param firstFile that file, for messages
     */
    static CsvLayout resolve(DataSpec spec, String firstLine, String firstFile, boolean scoring) {
        char d = delimiterOf(spec);
        if (firstLine == null) throw new DataException("no rows in " + spec.path() + " (no non-empty line in any file)");
        String[] fields;
        try {
            fields = new CsvFields(d).split(firstLine);
        } catch (BadRow b) {
            throw new DataException(b.detail() + " in the first line of " + firstFile + " (" + b.reason.fix() + ")");
        }
        if (spec.csvHeader()) {
            List<String> header = new ArrayList<>();
            for (String f : fields) header.add(f);
            int label = find(header, spec.labelColumn(), "data.label-column", firstFile, scoring ? -1 : 0, scoring);
            int id = find(header, spec.idColumn(), "data.id-column", firstFile, -1, false);
            CsvLayout l = new CsvLayout(d, fields.length, label, id, header.toArray(new String[0]), header);
            l.checkFeatures(spec, firstFile);
            return l;
        }
        int label = index(spec.labelColumn(), "data.label-column", scoring ? -1 : 0);
        int id = index(spec.idColumn(), "data.id-column", -1);
        int columns = spec.numFeatures() > 0
                ? spec.numFeatures() + (label >= 0 ? 1 : 0) + (id >= 0 ? 1 : 0)
                : fields.length;
        String[] names = new String[columns];
        for (int i = 0; i < columns; i++) names[i] = "column " + i;
        if (label >= columns || id >= columns) {
            throw new DataException("data.label-column/data.id-column index " + Math.max(label, id) + " outside the " + columns
                    + " columns of " + firstFile + " (indices are 0-based)");
        }
        if (label >= 0 && label == id) throw new DataException("data.label-column and data.id-column are the same column " + label);
        return new CsvLayout(d, columns, label, id, names, null);
    }

    private void checkFeatures(DataSpec spec, String file) {
        if (labelIndex >= 0 && labelIndex == idIndex) {
            throw new DataException("labelColumn and idColumn are the same column '" + names[labelIndex] + "'");
        }
        if (spec.numFeatures() > 0 && featureCount() != spec.numFeatures()) {
            throw new DataException("CSV " + file + " has " + featureCount() + " feature columns but data.num-features = "
                    + spec.numFeatures() + " (header: " + columns + " columns incl. label/id); fix data.num-features or set it to 0 to infer");
        }
    }

    private static int find(List<String> header, String column, String what, String file, int dflt, boolean absentOk) {
        if (column == null || column.isBlank()) return dflt;
        int i = header.indexOf(column.trim());
        if (i >= 0) return i;
        if (isIndex(column)) {
            int k = Integer.parseInt(column.trim());
            if (k < header.size()) return k;
        }
        if (absentOk) return -1;
        throw new DataException(what + " '" + column + "' not found in the header of " + file + ": "
                + Fields.abbreviate(String.valueOf(header)) + " (give a header name or a 0-based index)");
    }

    private static int index(String column, String what, int dflt) {
        if (column == null || column.isBlank()) return dflt;
        if (!isIndex(column)) {
            throw new DataException(what + " '" + column + "' is a name but data.csv-header = false; give a 0-based column index");
        }
        return Integer.parseInt(column.trim());
    }

    private static boolean isIndex(String s) {
        String t = s.trim();
        return !t.isEmpty() && t.length() < 10 && t.chars().allMatch(Character::isDigit);
    }

    @Override
    public String toString() {
        return "CsvLayout" + Arrays.toString(names);
    }
}
