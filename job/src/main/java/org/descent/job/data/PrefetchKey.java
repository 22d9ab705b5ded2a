package org.descent.job.data;

import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * What a read must match to take the chunks {@link ParquetPrefetch} parsed: the input path, the columns with their Spark
 * types, and every setting of the parser ({@link #parser}) and of {@link Scan#chunks}.
 */
record PrefetchKey(String path, ParquetRowGroupReader.Columns cols, String labelName, int numFeatures, LabelType labelType,
                   int numClasses, boolean scoring, boolean failFast) {

    static PrefetchKey of(ParquetRowGroupReader.Columns cols, DataSpec spec, boolean scoring) {
        String label = ParquetSource.labelName(spec);
        return new PrefetchKey(spec.path(), cols, label, spec.numFeatures(), spec.labelType(), spec.numClasses(), scoring,
                spec.badRows().mode() == BadRowPolicy.Mode.FAIL);
    }

    /**
     * The key a read of {@code spec} would have on files with {@code schema} (the prefetch reads with the first file's
     * footer), or null when it is not the array layout of plain number types.
     */
    static PrefetchKey of(DataSpec spec, MessageType schema) {
        String label = ParquetSource.labelName(spec);
        String features = spec.featuresColumn();
        if (!schema.containsField(label) || !schema.containsField(features)) return null;
        DataType labelType = plain(schema.getType(label));
        Type f = schema.getType(features);
        if (labelType == null || f.isPrimitive() || f.asGroupType().getFieldCount() != 1) return null;
        Type list = f.asGroupType().getType(0);
        if (list.isPrimitive() || list.asGroupType().getFieldCount() != 1) return null;
        DataType element = plain(list.asGroupType().getType(0));
        if (element == null) return null;
        return of(new ParquetRowGroupReader.Columns(label, labelType, features, element), spec, false);
    }

    /** The parser {@link ParquetSource#open} builds for this layout (label at 2 when present, features after it). */
    ParquetParser parser() {
        boolean label = cols.labelName() != null;
        return new ParquetParser(label ? 2 : -1, labelName, -1, label ? 3 : 2, true, new String[] {cols.featuresName()},
                numFeatures, new LabelRules(labelType, numClasses), scoring, null, cols.labelType(),
                new DataType[] {cols.elementType()});
    }

    /** The Spark type of a plain number column (no annotation), else null. */
    private static DataType plain(Type t) {
        if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED) || t.getLogicalTypeAnnotation() != null) return null;
        return switch (t.asPrimitiveType().getPrimitiveTypeName()) {
            case INT32 -> DataTypes.IntegerType;
            case INT64 -> DataTypes.LongType;
            case FLOAT -> DataTypes.FloatType;
            case DOUBLE -> DataTypes.DoubleType;
            default -> null;
        };
    }
}
