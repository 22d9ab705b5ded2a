package org.descent.job.data;

import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;

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
    /** For {@link InternalRow} payloads: the label's type and the features' (array mode: the element type). */
    private final DataType labelType;
    private final DataType[] featureTypes;

    ParquetParser(int labelPos, String labelName, int idPos, int firstFeaturePos, boolean arrayMode,
                  String[] featureNames, int numFeatures, LabelRules labels, boolean keepIds, VectorColumn vector,
                  DataType labelType, DataType[] featureTypes) {
        this.vector = vector;
        this.labelType = labelType;
        this.featureTypes = featureTypes;
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
        if (payload instanceof InternalRow r) return parseInternal(r);
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

    /**
     * The same rules on Spark's internal rows (array and numeric-column layouts; {@link ParquetSource} reads those
     * without converting to {@code Row}, which would box every value): the same values (decimals through
     * {@code BigDecimal}, as {@code Row} gives them), the same bad rows and messages.
     */
    private ParsedRow parseInternal(InternalRow row) throws BadRow {
        double label = Double.NaN;
        if (labelPos >= 0) {
            if (row.isNullAt(labelPos)) throw new BadRow(BadRowReason.MISSING_VALUE, "null label in column '" + labelName + "'");
            label = labels.check(number(row, labelPos, labelType));
        }
        String id = keepIds && idPos >= 0 && !row.isNullAt(idPos) ? row.getUTF8String(idPos).toString() : null;
        double[] values;
        if (arrayMode) {
            String name = featureNames[0];
            if (row.isNullAt(firstFeaturePos)) throw new BadRow(BadRowReason.MISSING_VALUE, "null features array in column '" + name + "'");
            ParquetRowGroupReader.Values v = row instanceof GenericInternalRow g
                    && g.genericGet(firstFeaturePos) instanceof ParquetRowGroupReader.Values d ? d : null;
            values = v != null ? decoded(v, name) : array(row.getArray(firstFeaturePos), name);
            for (int j = 0; j < values.length; j++) if (!Double.isFinite(values[j])) finite(values[j], name + "[" + j + "]");
            ParsedRow parsed = new ParsedRow(label, null, values, id);
            if (v != null && v.ids() != null) { // the values' dictionary ids: the chunk codes them once per id
                parsed.dictIds = v.ids();
                parsed.dictionary = v.dictionary();
            }
            return parsed;
        } else {
            values = new double[featureNames.length];
            for (int j = 0; j < values.length; j++) {
                int p = firstFeaturePos + j;
                if (row.isNullAt(p)) throw new BadRow(BadRowReason.MISSING_VALUE, "null in column '" + featureNames[j] + "'");
                double v = number(row, p, featureTypes[j]);
                if (!Double.isFinite(v)) finite(v, "column '" + featureNames[j] + "'");
                values[j] = v;
            }
        }
        return new ParsedRow(label, null, values, id);
    }

    /** The values of a features array in Spark's format: length, then null checks, as doubles. */
    private double[] array(ArrayData a, String name) throws BadRow {
        int n = a.numElements();
        checkLength(n, name);
        DataType t = featureTypes[0];
        for (int j = 0; j < n; j++) {
            if (a.isNullAt(j)) throw new BadRow(BadRowReason.MISSING_VALUE, "null at " + name + "[" + j + "]");
        }
        if (t instanceof DoubleType) return a.toDoubleArray();
        double[] values = new double[n];
        for (int j = 0; j < n; j++) values[j] = element(a, j, t);
        return values;
    }

    /**
     * The same checks on the values {@link ParquetRowGroupReader} decoded (already doubles; the reader's array, reused
     * for its next row: the row is consumed before that, {@link Scan#chunks}).
     */
    private double[] decoded(ParquetRowGroupReader.Values v, String name) throws BadRow {
        checkLength(v.values().length, name);
        if (v.firstNull() >= 0) throw new BadRow(BadRowReason.MISSING_VALUE, "null at " + name + "[" + v.firstNull() + "]");
        return v.values();
    }

    private void checkLength(int n, String name) throws BadRow {
        if (numFeatures > 0 && n != numFeatures) {
            throw new BadRow(BadRowReason.FEATURE_LENGTH, "features array '" + name + "' has " + n
                    + " values, expected numFeatures=" + numFeatures);
        }
    }

    /** A numeric field as {@code ((Number) row.get(pos)).doubleValue()} would give it. */
    private static double number(InternalRow r, int pos, DataType t) {
        if (t instanceof DoubleType) return r.getDouble(pos);
        if (t instanceof FloatType) return r.getFloat(pos);
        if (t instanceof IntegerType) return r.getInt(pos);
        if (t instanceof LongType) return r.getLong(pos);
        if (t instanceof ShortType) return r.getShort(pos);
        if (t instanceof ByteType) return r.getByte(pos);
        if (t instanceof DecimalType d) return r.getDecimal(pos, d.precision(), d.scale()).toJavaBigDecimal().doubleValue();
        throw new IllegalStateException("not a numeric type: " + t);
    }

    private static double element(ArrayData a, int j, DataType t) {
        if (t instanceof FloatType) return a.getFloat(j);
        if (t instanceof IntegerType) return a.getInt(j);
        if (t instanceof LongType) return a.getLong(j);
        if (t instanceof ShortType) return a.getShort(j);
        if (t instanceof ByteType) return a.getByte(j);
        if (t instanceof DecimalType d) return a.getDecimal(j, d.precision(), d.scale()).toJavaBigDecimal().doubleValue();
        return a.getDouble(j);
    }

    private static double finite(double v, String where) throws BadRow {
        if (!Double.isFinite(v)) throw new BadRow(BadRowReason.NON_FINITE, "non-finite value " + v + " in " + where);
        return v;
    }
}
