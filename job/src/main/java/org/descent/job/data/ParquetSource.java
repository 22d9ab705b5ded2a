package org.descent.job.data;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads Parquet through {@code spark.read().parquet} and tags each row with its file and 0-based row
 * index ({@code _metadata.file_path}, {@code _metadata.row_index}). The array layout with a plain numeric label and
 * elements and no id column is read straight from the row groups instead ({@link ParquetRowGroups}: the same rows,
 * about half the CPU of Spark's nested-column scan); Spark still lists the files and gives the schema, unless the
 * local-mode prefetch surveyed them ({@link ParquetPrefetch}: then no DataFrame is built, see {@link #surveyed}).
 *
 * <p>Layout: label column {@code labelColumn} (default {@code label}, numeric); optional {@code idColumn}
 * (any type, kept as text); features either the {@code featuresColumn} ({@code array<numeric>}, e.g.
 * {@code array<double>} or {@code array<float>}, or a Spark ML {@code vector}, dense or sparse: see
 * {@link VectorColumn}; sparse vectors stay sparse) or, when that is
 * null, every numeric column except label and id in schema order (non-numeric columns are ignored).
 */
final class ParquetSource {
    static final String DEFAULT_LABEL = "label";

    /** The label column a read of {@code spec} uses: {@code data.label-column}, else {@link #DEFAULT_LABEL}. */
    static String labelName(DataSpec spec) {
        return spec.labelColumn() == null || spec.labelColumn().isBlank() ? DEFAULT_LABEL : spec.labelColumn();
    }

    private ParquetSource() {}

    /**
     * @param rowGroups read the array layout straight from the row groups ({@link ParquetRowGroups}) where the types
     *                  allow; false: always through Spark's scan (the fallback when a file's layout does not suit it)
     */
    static Source open(SparkSession spark, DataSpec spec, LabelRules labels, boolean scoring, boolean rowGroups) {
        PrefetchPlan ahead = rowGroups ? ParquetPrefetch.surveyed(spec, scoring) : null;
        if (ahead != null) return surveyed(spark, spec, ahead);
        Dataset<Row> df = read(spark, spec.path());
        StructType schema = df.schema();
        List<String> names = Arrays.asList(schema.fieldNames());
        String labelName = labelName(spec);
        List<Column> cols = new ArrayList<>(List.of(col("_metadata.file_path"), col("_metadata.row_index")));

        int labelPos = -1;
        if (names.contains(labelName)) {
            requireNumeric(schema.apply(labelName), "label column", spec.path());
            labelPos = cols.size();
            cols.add(col(quote(labelName)));
        } else if (!scoring) {
            throw new DataException("label column '" + labelName + "' not in the Parquet schema of " + spec.path()
                    + ": " + names + " (set data.label-column)");
        }
        int idPos = -1;
        String idName = spec.idColumn();
        if (idName != null && !idName.isBlank()) {
            if (!names.contains(idName)) {
                throw new DataException("data.id-column '" + idName + "' not in the Parquet schema of " + spec.path() + ": " + names);
            }
            idPos = cols.size();
            cols.add(col(quote(idName)).cast(DataTypes.StringType));
        }
        int first = cols.size();
        Features f = features(spec, schema, names, labelName, idName, cols);
        boolean arrayMode = f.arrayMode();
        String[] featureNames = f.names();
        DataType[] featureTypes = f.types();
        VectorColumn vector = f.vector();
        ParquetParser parser = new ParquetParser(labelPos, labelName, idPos, first, arrayMode, featureNames,
                spec.numFeatures(), labels, scoring, vector, labelPos >= 0 ? schema.apply(labelName).dataType() : null,
                featureTypes);
        // vector columns are parsed from Spark ML's Vector objects; arrays and numeric columns straight from Spark's
        // internal rows (converting them to Row would box every value). Each record is parsed before the next is
        // read (Scan.parse), so the reused internal row is never held.
        DataType labelType = labelPos >= 0 ? schema.apply(labelName).dataType() : null;
        JavaRDD<InputRecord> records;
        if (vector != null) {
            records = df.select(cols.toArray(new Column[0])).javaRDD().mapPartitions(ParquetSource::tag);
        } else if (rowGroups && arrayMode && idPos < 0 && ParquetRowGroups.eligible(labelType, featureTypes[0])) {
            return new Source(spec.path(), null, parser, false, -1, true, ParquetRowGroups.reads(spark, df,
                    labelPos >= 0 ? labelName : null, labelType, featureNames[0], featureTypes[0]));
        } else {
            records = df.select(cols.toArray(new Column[0])).queryExecution().toRdd().toJavaRDD()
                    .mapPartitions(ParquetSource::tagInternal);
        }
        return new Source(spec.path(), records, parser, false, arrayMode ? -1 : featureNames.length, arrayMode);
    }

    /** {@code spark.read().parquet(path)}, its failures as a {@link DataException} naming the path. */
    private static Dataset<Row> read(SparkSession spark, String path) {
        try {
            return spark.read().parquet(path);
        } catch (Exception e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("infer schema") || m.contains("UNABLE_TO_INFER_SCHEMA")) {
                throw new DataException("no rows in " + path + " (no Parquet files found)", e);
            }
            throw new DataException("cannot read Parquet at " + path + ": " + m, e);
        }
    }

    /** The feature columns of a Parquet schema: one vector or array column, or every numeric column but label and id. */
    private record Features(boolean arrayMode, String[] names, DataType[] types, VectorColumn vector) {}

    /**
     * Resolves the feature columns ({@code data.features-column}, else every numeric column except label and id, in
     * schema order), checks their types and appends them to {@code cols}; a missing or mistyped column is a
     * {@link DataException} naming the key and the fix.
     */
    private static Features features(DataSpec spec, StructType schema, List<String> names, String labelName,
                                     String idName, List<Column> cols) {
        boolean arrayMode = spec.featuresColumn() != null && !spec.featuresColumn().isBlank();
        DataType[] featureTypes;
        String[] featureNames;
        VectorColumn vector = null;
        if (arrayMode) {
            String f = spec.featuresColumn();
            if (!names.contains(f)) {
                throw new DataException("data.features-column '" + f + "' not in the Parquet schema of " + spec.path() + ": " + names);
            }
            vector = VectorColumn.of(schema.apply(f));
            if (vector == null
                    && (!(schema.apply(f).dataType() instanceof ArrayType at) || !(at.elementType() instanceof NumericType))) {
                throw new DataException("data.features-column '" + f + "' in " + spec.path() + " has type "
                        + schema.apply(f).dataType().simpleString()
                        + "; it must be a Spark ML vector (VectorUDT), array<double> or array<float>");
            }
            featureNames = new String[] {f};
            featureTypes = new DataType[] {vector == null ? ((ArrayType) schema.apply(f).dataType()).elementType() : null};
            cols.add(col(quote(f)));
        } else {
            List<String> numeric = new ArrayList<>();
            List<DataType> types = new ArrayList<>();
            for (StructField field : schema.fields()) {
                String n = field.name();
                if (n.equals(labelName) || n.equals(idName) || !(field.dataType() instanceof NumericType)) continue;
                numeric.add(n);
                types.add(field.dataType());
                cols.add(col(quote(n)));
            }
            if (numeric.isEmpty()) {
                throw new DataException("no numeric feature columns in " + spec.path() + " (schema " + names
                        + "); set data.features-column for an array column");
            }
            featureNames = numeric.toArray(new String[0]);
            featureTypes = types.toArray(new DataType[0]);
            if (spec.numFeatures() > 0 && spec.numFeatures() != featureNames.length) {
                throw new DataException("Parquet " + spec.path() + " has " + featureNames.length
                        + " numeric feature columns but data.num-features = " + spec.numFeatures()
                        + "; fix data.num-features or set it to 0 to infer");
            }
        }
        return new Features(arrayMode, featureNames, featureTypes, vector);
    }

    /**
     * The array layout the prefetch surveyed ({@link ParquetPrefetch#surveyed}: the files as Spark's file index lists
     * them, the label and element types as Spark maps the first file's plain Parquet types): the read and parser the
     * path through {@code spark.read().parquet} builds for it, without building a DataFrame (its schema inference job
     * and analysis were most of the read's time once the rows were parsed ahead). The row groups' reader checks every
     * file's types against these (else {@link ParquetRowGroups.Unsupported}: the read falls back to Spark's scan).
     */
    private static Source surveyed(SparkSession spark, DataSpec spec, PrefetchPlan ahead) {
        // the prefetch's own parser (its key matched this read's settings): the row groups the read parses itself and
        // the ones it takes from the prefetch come from one parser definition, so the same bits by construction
        ParquetParser parser = ahead.key().parser();
        return new Source(spec.path(), null, parser, false, -1, true,
                ParquetRowGroups.reads(spark, ahead.files(), ahead.key().cols(), ahead));
    }

    /** Tags rows with (file, start of the run of consecutive row indices they belong to). */
    private static Iterator<InputRecord> tag(Iterator<Row> rows) {
        return new Iterator<>() {
            String file;
            long runStart;
            long next = -1;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public InputRecord next() {
                Row r = rows.next();
                String f = r.getString(0);
                long index = r.getLong(1);
                if (!f.equals(file) || index != next) {
                    file = f;
                    runStart = index;
                }
                next = index + 1;
                return new InputRecord(file, runStart, r);
            }
        };
    }

    /** As {@link #tag} for Spark's internal rows (file path a UTF8String). */
    static Iterator<InputRecord> tagInternal(Iterator<InternalRow> rows) {
        return new Iterator<>() {
            String file;
            long runStart;
            long next = -1;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public InputRecord next() {
                InternalRow r = rows.next();
                long index = r.getLong(1);
                if (file == null || index != next || !r.getUTF8String(0).toString().equals(file)) {
                    file = r.getUTF8String(0).toString();
                    runStart = index;
                }
                next = index + 1;
                return new InputRecord(file, runStart, r);
            }
        };
    }

    private static void requireNumeric(StructField f, String what, String path) {
        if (!(f.dataType() instanceof NumericType)) {
            throw new DataException(what + " '" + f.name() + "' in " + path + " has type " + f.dataType().simpleString()
                    + "; it must be numeric");
        }
    }

    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
