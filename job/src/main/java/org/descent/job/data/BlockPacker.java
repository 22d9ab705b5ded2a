package org.descent.job.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FloatCsrMatrix;
import org.descent.math.sparse.SparseRows;

import scala.Tuple2;

/**
 * Moves every row to its partition (keyed by id through the given partitioner), sorts each partition by
 * id (Spark's shuffle sort, spills if needed) and packs it into exactly one {@link RowBlock}: dense
 * (float64 features row-major {@code rows x numFeatures}, absent sparse entries 0; the cached width is chosen
 * later, after scaling: {@link RowBlock#stored}) or sparse (CSR of the
 * non-zeros, 0-based indices, double or float values: see {@link Layout}). An empty partition yields an
 * empty block (rows = 0). The result depends only on the rows, the partitioner and the layout.
 */
final class BlockPacker {
    private BlockPacker() {}

    /** The block representation: {@code sparse} CSR with float32 values when {@code floatValues}, else dense. */
    record Layout(int numFeatures, boolean sparse, boolean floatValues) implements java.io.Serializable {}

    static JavaRDD<RowBlock> pack(JavaRDD<ParsedRow> rows, Partitioner partitioner, Layout layout) {
        return sorted(rows, partitioner).mapPartitions(it -> List.of(build(it, layout).block()).iterator());
    }

    static JavaRDD<ScoringBlock> packScoring(JavaRDD<ParsedRow> rows, Partitioner partitioner, Layout layout) {
        return sorted(rows, partitioner).mapPartitions(it -> List.of(build(it, layout)).iterator());
    }

    private static JavaRDD<Tuple2<Long, ParsedRow>> sorted(JavaRDD<ParsedRow> rows, Partitioner partitioner) {
        return rows.mapToPair(r -> new Tuple2<>(r.id, r)).repartitionAndSortWithinPartitions(partitioner).rdd().toJavaRDD();
    }

    static ScoringBlock build(Iterator<Tuple2<Long, ParsedRow>> it, Layout layout) {
        List<ParsedRow> list = new ArrayList<>();
        while (it.hasNext()) list.add(it.next()._2());
        int n = list.size();
        double[] labels = new double[n];
        long[] ids = new long[n];
        String[] sourceIds = new String[n];
        for (int i = 0; i < n; i++) {
            ParsedRow r = list.get(i);
            labels[i] = r.label;
            ids[i] = r.id;
            sourceIds[i] = r.sourceId != null ? r.sourceId : Long.toString(r.id);
        }
        RowBlock block = layout.sparse()
                ? new RowBlock(sparse(list, layout), labels, ids)
                : RowBlock.rowMajor(n, layout.numFeatures(), dense(list, layout.numFeatures()), labels, ids);
        return new ScoringBlock(block, sourceIds);
    }

    private static double[] dense(List<ParsedRow> list, int cols) {
        int n = list.size();
        if ((long) n * cols > Integer.MAX_VALUE - 16) {
            throw new DataException("a partition holds " + n + " rows x " + cols
                    + " features, too many for one dense block; set data.representation = sparse (memory in"
                    + " proportion to the non-zeros) or use more partitions (at least "
                    + ((long) n * cols / (Integer.MAX_VALUE / 2) + 2) + " times as many)");
        }
        double[] features = new double[n * cols];
        for (int i = 0; i < n; i++) {
            ParsedRow r = list.get(i);
            if (r.indices != null) {
                for (int k = 0; k < r.indices.length; k++) features[i * cols + r.indices[k] - 1] = r.values[k];
            } else {
                System.arraycopy(r.values, 0, features, i * cols, cols);
            }
        }
        return features;
    }

    /** CSR of the rows' non-zeros (explicit zeros dropped), 0-based column indices. */
    private static SparseRows sparse(List<ParsedRow> list, Layout layout) {
        int n = list.size();
        long total = 0;
        for (ParsedRow r : list) total += r.nonZeros();
        if (total > Integer.MAX_VALUE - 16) {
            throw new DataException("a partition holds " + n + " rows with " + total
                    + " non-zeros, too many for one sparse block; use more partitions (at least "
                    + (total / (Integer.MAX_VALUE / 2) + 2) + " times as many)");
        }
        int nnz = (int) total;
        int[] ptr = new int[n + 1];
        int[] idx = new int[nnz];
        double[] dv = layout.floatValues() ? null : new double[nnz];
        float[] fv = layout.floatValues() ? new float[nnz] : null;
        int p = 0;
        for (int i = 0; i < n; i++) {
            ParsedRow r = list.get(i);
            for (int k = 0; k < r.values.length; k++) {
                double v = r.values[k];
                if (v == 0.0) continue;
                idx[p] = r.indices != null ? r.indices[k] - 1 : k;
                if (dv != null) {
                    dv[p] = v;
                } else {
                    fv[p] = (float) v;
                    if (Float.isInfinite(fv[p])) {
                        throw new DataException("row " + r.id + " (0-based, input order) has feature value " + v
                                + " at feature " + (idx[p] + 1) + ", beyond float32 range; train it with"
                                + " training.precision = float64 or rescale the feature");
                    }
                }
                p++;
            }
            ptr[i + 1] = p;
        }
        int cols = layout.numFeatures();
        return dv != null ? new CsrMatrix(n, cols, ptr, idx, dv) : new FloatCsrMatrix(n, cols, ptr, idx, fv);
    }
}
