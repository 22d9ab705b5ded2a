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
 * (e.g. {@code array<double>}, {@code array<float>}). Reads one cell as stored ({@link #cell}: a sparse vector
 * stays sparse), or reports why it cannot (null, non-finite value).
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
     * The cell at {@code pos} as stored: a sparse vector's entries ({@code indices} 0-based ascending, its own arrays,
     * not copied), or every value ({@code indices} null); {@code problem} (null, non-finite value) instead when it
     * cannot be used. Never a dense row for a sparse vector: memory in proportion to its non-zeros.
     */
    Cell cell(Row row, int pos) {
        if (row.isNullAt(pos)) return Cell.bad("null features in column '" + name + "'");
        if (vector && row.get(pos) instanceof SparseVector s) {
            double[] val = s.values();
            for (int k = 0; k < val.length; k++) {
                if (!Double.isFinite(val[k])) return Cell.bad(nonFinite(val[k], s.indices()[k]));
            }
            return new Cell(s.size(), s.indices(), val, null);
        }
        if (vector) {
            double[] val = ((DenseVector) row.get(pos)).values();
            for (int j = 0; j < val.length; j++) if (!Double.isFinite(val[j])) return Cell.bad(nonFinite(val[j], j));
            return new Cell(val.length, null, val, null);
        }
        List<Object> list = row.getList(pos);
        double[] x = new double[list.size()];
        for (int j = 0; j < x.length; j++) {
            Object o = list.get(j);
            if (o == null) return Cell.bad("null at " + name + "[" + j + "]");
            x[j] = ((Number) o).doubleValue();
            if (!Double.isFinite(x[j])) return Cell.bad(nonFinite(x[j], j));
        }
        return new Cell(x.length, null, x, null);
    }

    /** A features cell: width and values (sparse: with their indices), or the problem that makes the row bad. */
    record Cell(int width, int[] indices, double[] values, String problem) {
        static Cell bad(String problem) {
            return new Cell(-1, null, null, problem);
        }
    }

    private String nonFinite(double v, int j) {
        return "non-finite value " + v + " at " + name + "[" + j + "]";
    }
}
