package org.descent.job.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;

import scala.Tuple2;

/**
 * Moves every row to its partition (keyed by id through the given partitioner), sorts each partition by
 * id (Spark's shuffle sort, spills if needed) and packs it into exactly one {@link RowBlock}:
 * features column-major {@code rows x numFeatures}, absent sparse entries 0. An empty partition
 * yields an empty block (rows = 0). The result depends only on the rows and the partitioner.
 */
final class BlockPacker {
    private BlockPacker() {}

    static JavaRDD<RowBlock> pack(JavaRDD<ParsedRow> rows, Partitioner partitioner, int numFeatures) {
        return sorted(rows, partitioner).mapPartitions(it -> List.of(build(it, numFeatures).block()).iterator());
    }

    static JavaRDD<ScoringBlock> packScoring(JavaRDD<ParsedRow> rows, Partitioner partitioner, int numFeatures) {
        return sorted(rows, partitioner).mapPartitions(it -> List.of(build(it, numFeatures)).iterator());
    }

    private static JavaRDD<Tuple2<Long, ParsedRow>> sorted(JavaRDD<ParsedRow> rows, Partitioner partitioner) {
        return rows.mapToPair(r -> new Tuple2<>(r.id, r)).repartitionAndSortWithinPartitions(partitioner).rdd().toJavaRDD();
    }

    static ScoringBlock build(Iterator<Tuple2<Long, ParsedRow>> it, int cols) {
        List<ParsedRow> list = new ArrayList<>();
        while (it.hasNext()) list.add(it.next()._2());
        int n = list.size();
        if ((long) n * cols > Integer.MAX_VALUE - 16) {
            throw new DataException("a partition holds " + n + " rows x " + cols
                    + " features, too many for one block; use more partitions (at least "
                    + ((long) n * cols / (Integer.MAX_VALUE / 2) + 2) + " times as many)");
        }
        double[] features = new double[n * cols];
        double[] labels = new double[n];
        long[] ids = new long[n];
        String[] sourceIds = new String[n];
        for (int i = 0; i < n; i++) {
            ParsedRow r = list.get(i);
            labels[i] = r.label;
            ids[i] = r.id;
            sourceIds[i] = r.sourceId != null ? r.sourceId : Long.toString(r.id);
            if (r.indices != null) {
                for (int k = 0; k < r.indices.length; k++) features[i + (r.indices[k] - 1) * n] = r.values[k];
            } else {
                for (int j = 0; j < cols; j++) features[i + j * n] = r.values[j];
            }
        }
        return new ScoringBlock(new RowBlock(n, cols, features, labels, ids), sourceIds);
    }
}
