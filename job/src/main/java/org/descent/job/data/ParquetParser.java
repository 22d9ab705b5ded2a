package org.descent.job.data;

import java.util.List;

import org.apache.spark.sql.Row;

/**
 * Parquet row (as selected by {@link ParquetSource}: file, row index, [label], [id], features...):
 * features either from one Spark ML vector column ({@link VectorColumn}), from one array column ({@code arrayMode}, elements any numeric type) or from the
 * numeric columns in schema order. Nulls and non-finite values are bad rows.
 */
final class ParquetParser implements RowParser {
    private static final long serialVersionUID = 1L;

    private final int labelPos;
    private final int idPos;
    private final int firstFeaturePos;
    private final boolean arrayMode;
    private final String[] featureNames;
    private final String labelName;
    private final int numFeatures;
    private final LabelRules labels;
    private final boolean keepIds;
    /** The features column as a Spark ML vector column, or null (array or numeric columns). */
    private final VectorColumn vector;

    ParquetParser(int labelPos, String labelName, int idPos, int firstFeaturePos, boolean arrayMode,
                  String[] featureNames, int numFeatures, LabelRules labels, boolean keepIds, VectorColumn vector) {
        this.vector = vector;
        this.labelPos = labelPos;
        this.labelName = labelName;
        this.idPos = idPos;
        this.firstFeaturePos = firstFeaturePos;
        this.arrayMode = arrayMode;
        this.featureNames = featureNames;
        this.numFeatures = numFeatures;
        this.labels = labels;
        this.keepIds = keepIds;
    }

    @Override
    public ParsedRow parse(Object payload, boolean firstOfFile) throws BadRow {
        Row row = (Row) payload;
        double label = Double.NaN;
        if (labelPos >= 0) {
            if (row.isNullAt(labelPos)) throw new BadRow(BadRowReason.MISSING_VALUE, "null label in column '" + labelName + "'");
            label = labels.check(((Number) row.get(labelPos)).doubleValue());
        }
        String id = keepIds && idPos >= 0 && !row.isNullAt(idPos) ? row.getString(idPos) : null;
        double[] values;
        if (vector != null) {
            if (row.isNullAt(firstFeaturePos)) {
                throw new BadRow(BadRowReason.MISSING_VALUE, "null vector in column '" + featureNames[0] + "'");
            }
            return vector.parse(row.get(firstFeaturePos), label, id, numFeatures);
        }
        if (arrayMode) {
            String name = featureNames[0];
            if (row.isNullAt(firstFeaturePos)) throw new BadRow(BadRowReason.MISSING_VALUE, "null features array in column '" + name + "'");
            List<Object> list = row.getList(firstFeaturePos);
            if (numFeatures > 0 && list.size() != numFeatures) {
                throw new BadRow(BadRowReason.FEATURE_LENGTH, "features array '" + name + "' has " + list.size()
                        + " values, expected numFeatures=" + numFeatures);
            }
            values = new double[list.size()];
            for (int j = 0; j < values.length; j++) {
                Object o = list.get(j);
                if (o == null) throw new BadRow(BadRowReason.MISSING_VALUE, "null at " + name + "[" + j + "]");
                double v = ((Number) o).doubleValue();
                if (!Double.isFinite(v)) finite(v, name + "[" + j + "]"); // the message only on failure: no per-value string
                values[j] = v;
            }
        } else {
            values = new double[featureNames.length];
            for (int j = 0; j < values.length; j++) {
                int p = firstFeaturePos + j;
                if (row.isNullAt(p)) throw new BadRow(BadRowReason.MISSING_VALUE, "null in column '" + featureNames[j] + "'");
                double v = ((Number) row.get(p)).doubleValue();
                if (!Double.isFinite(v)) finite(v, "column '" + featureNames[j] + "'");
                values[j] = v;
            }
        }
        return new ParsedRow(label, null, values, id);
    }

    private static double finite(double v, String where) throws BadRow {
        if (!Double.isFinite(v)) throw new BadRow(BadRowReason.NON_FINITE, "non-finite value " + v + " in " + where);
        return v;
    }
}
