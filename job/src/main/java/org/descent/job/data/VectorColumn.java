package org.descent.job.data;

import java.io.Serializable;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * A Spark ML {@code vector} column (VectorUDT: what VectorAssembler, HashingTF, FeatureHasher and
 * OneHotEncoder produce), read without a compile-time dependency on spark-mllib: the UDT's storage type is
 * {@code struct<type: tinyint, size: int, indices: array<int>, values: array<double>>} (type 0 = sparse with
 * 0-based indices, 1 = dense with size = values.length). With spark-mllib on the classpath a column reads
 * as the UDT ({@link Row#get} gives a Vector, serialised back through the UDT to that struct); without it,
 * Parquet gives the struct itself. Both are accepted.
 */
final class VectorColumn implements Serializable {
    private static final long serialVersionUID = 1L;

    private final DataType type;
    private final String name;

    private VectorColumn(DataType type, String name) {
        this.type = type;
        this.name = name;
    }

    /** The column as a vector column, or null when its type is not the vector storage type (nor a UDT over it). */
    static VectorColumn of(StructField field) {
        DataType t = field.dataType();
        DataType storage = t instanceof UserDefinedType<?> u ? u.sqlType() : t;
        return isVectorStruct(storage) ? new VectorColumn(t, field.name()) : null;
    }

    private static boolean isVectorStruct(DataType t) {
        if (!(t instanceof StructType s) || s.fields().length != 4) return false;
        StructField[] f = s.fields();
        return f[0].name().equals("type") && f[0].dataType().equals(DataTypes.ByteType)
                && f[1].name().equals("size") && f[1].dataType().equals(DataTypes.IntegerType)
                && f[2].name().equals("indices") && f[2].dataType() instanceof ArrayType ai
                && ai.elementType().equals(DataTypes.IntegerType)
                && f[3].name().equals("values") && f[3].dataType() instanceof ArrayType av
                && av.elementType().equals(DataTypes.DoubleType);
    }

    /**
     * The row's vector as a {@link ParsedRow} payload: sparse (1-based indices) or dense values, with the
     * declared size. Checks size against {@code numFeatures} (when > 0), index order and range, finiteness.
     */
    ParsedRow parse(Object cell, double label, String id, int numFeatures) throws BadRow {
        byte kind;
        int size;
        int[] indices;
        double[] values;
        if (type instanceof UserDefinedType<?> u) {
            @SuppressWarnings("unchecked")
            Object stored = ((UserDefinedType<Object>) u).serialize(cell);
            InternalRow r = (InternalRow) stored;
            kind = r.getByte(0);
            size = r.isNullAt(1) ? -1 : r.getInt(1);
            indices = r.isNullAt(2) ? null : r.getArray(2).toIntArray();
            values = r.isNullAt(3) ? null : r.getArray(3).toDoubleArray();
        } else {
            Row r = (Row) cell;
            if (r.isNullAt(0) || r.isNullAt(3)) throw new BadRow(BadRowReason.MISSING_VALUE, "null vector parts in column '" + name + "'");
            kind = r.getByte(0);
            size = r.isNullAt(1) ? -1 : r.getInt(1);
            indices = r.isNullAt(2) ? null : ints(r.getList(2));
            values = doubles(r.getList(3));
        }
        if (values == null) throw new BadRow(BadRowReason.MISSING_VALUE, "vector without values in column '" + name + "'");
        boolean sparse = kind == 0;
        if (!sparse && kind != 1) {
            throw new BadRow(BadRowReason.VECTOR_INDICES, "vector of unknown kind " + kind + " in column '" + name + "'");
        }
        if (!sparse) size = values.length;
        if (sparse && (indices == null || size < 0 || indices.length != values.length)) {
            throw new BadRow(BadRowReason.VECTOR_INDICES, "sparse vector in column '" + name + "' has "
                    + (indices == null ? "no" : String.valueOf(indices.length)) + " indices for " + values.length + " values");
        }
        if (numFeatures > 0 && size != numFeatures) {
            throw new BadRow(BadRowReason.VECTOR_SIZE, "vector in column '" + name + "' has size " + size
                    + ", expected numFeatures=" + numFeatures);
        }
        int[] oneBased = null;
        if (sparse) {
            oneBased = new int[indices.length];
            int prev = -1;
            for (int k = 0; k < indices.length; k++) {
                int i = indices[k];
                if (i <= prev || i >= size) {
                    throw new BadRow(BadRowReason.VECTOR_INDICES, "sparse vector in column '" + name + "' has index " + i
                            + (i >= size ? " beyond its size " + size : " after " + prev + " (indices must be strictly ascending)"));
                }
                oneBased[k] = i + 1;
                prev = i;
            }
        }
        for (int k = 0; k < values.length; k++) {
            if (!Double.isFinite(values[k])) {
                throw new BadRow(BadRowReason.NON_FINITE, "non-finite value " + values[k] + " in column '" + name
                        + "' at index " + (sparse ? indices[k] : k));
            }
        }
        ParsedRow row = new ParsedRow(label, oneBased, values, id);
        row.size = size;
        return row;
    }

    private static int[] ints(List<Object> list) throws BadRow {
        int[] a = new int[list.size()];
        for (int k = 0; k < a.length; k++) {
            if (list.get(k) == null) throw new BadRow(BadRowReason.MISSING_VALUE, "null vector index");
            a[k] = ((Number) list.get(k)).intValue();
        }
        return a;
    }

    private static double[] doubles(List<Object> list) throws BadRow {
        double[] a = new double[list.size()];
        for (int k = 0; k < a.length; k++) {
            if (list.get(k) == null) throw new BadRow(BadRowReason.MISSING_VALUE, "null vector value");
            a[k] = ((Number) list.get(k)).doubleValue();
        }
        return a;
    }
}
