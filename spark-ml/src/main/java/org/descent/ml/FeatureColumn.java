package org.descent.ml;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * A features column: a Spark ML {@code vector} (dense or sparse) or an {@code array<numeric>}
 * (e.g. {@code array<double>}, {@code array<float>}). Reads one cell into a caller's dense row or
 * reports why it cannot (null, non-finite value, wrong width).
 */
final class FeatureColumn implements Serializable {
    private static final long serialVersionUID = 1L;

    final String name;
    private final boolean vector;

    private FeatureColumn(String name, boolean vector) {
        this.name = name;
        this.vector = vector;
    }

    /** Checks the column's type in {@code schema}; the message names the column, its type and what is allowed. */
    static FeatureColumn of(StructType schema, String name) {
        if (!List.of(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("features column '" + name + "' is not in the DataFrame: "
                    + List.of(schema.fieldNames()) + " (set featuresCol)");
        }
        DataType t = schema.apply(name).dataType();
        if (t instanceof VectorUDT) return new FeatureColumn(name, true);
        if (t instanceof ArrayType a && a.elementType() instanceof NumericType) return new FeatureColumn(name, false);
        throw new IllegalArgumentException("features column '" + name + "' has type " + t.simpleString()
                + "; it must be a Spark ML vector (e.g. from VectorAssembler) or array<double>/array<float>");
    }

    /** The width of the cell at {@code pos}, or -1 when it is null. */
    int width(Row row, int pos) {
        if (row.isNullAt(pos)) return -1;
        return vector ? ((Vector) row.get(pos)).size() : row.getList(pos).size();
    }

    /**
     * Writes the cell at {@code pos} into {@code out[offset + j * stride]} for j = 0..width-1 (zeros first
     * for a sparse vector). Returns null, or the problem (null, non-finite value) for error messages.
     */
    String read(Row row, int pos, double[] out, int offset, int stride) {
        if (row.isNullAt(pos)) return "null features in column '" + name + "'";
        if (vector) {
            Vector v = (Vector) row.get(pos);
            if (v instanceof SparseVector s) {
                for (int j = 0; j < s.size(); j++) out[offset + j * stride] = 0.0;
                int[] idx = s.indices();
                double[] val = s.values();
                for (int k = 0; k < idx.length; k++) {
                    if (!Double.isFinite(val[k])) return nonFinite(val[k], idx[k]);
                    out[offset + idx[k] * stride] = val[k];
                }
            } else {
                double[] val = ((DenseVector) v).values();
                for (int j = 0; j < val.length; j++) {
                    if (!Double.isFinite(val[j])) return nonFinite(val[j], j);
                    out[offset + j * stride] = val[j];
                }
            }
            return null;
        }
        List<Object> list = row.getList(pos);
        for (int j = 0; j < list.size(); j++) {
            Object o = list.get(j);
            if (o == null) return "null at " + name + "[" + j + "]";
            double d = ((Number) o).doubleValue();
            if (!Double.isFinite(d)) return nonFinite(d, j);
            out[offset + j * stride] = d;
        }
        return null;
    }

    private String nonFinite(double v, int j) {
        return "non-finite value " + v + " at " + name + "[" + j + "]";
    }
}
