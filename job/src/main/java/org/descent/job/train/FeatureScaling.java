package org.descent.job.train;

import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.descent.job.data.DataException;
import org.descent.job.data.RowBlock;

import org.descent.math.scale.FeatureStats;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;

/**
 * Fits a {@link Scaler} in one distributed pass (a {@link FeatureStats} per block, merged on the
 * driver in partition order, so the fit is deterministic) and applies it to blocks (a scaled copy of
 * each block, done before caching so training never rescales).
 */
final class FeatureScaling {
    private FeatureScaling() {}

    static Scaler fit(JavaRDD<RowBlock> blocks, ScalerKind kind, int numFeatures) {
        List<FeatureStats> parts = blocks.mapPartitions(it -> {
            FeatureStats s = new FeatureStats(numFeatures);
            while (it.hasNext()) {
                RowBlock b = it.next();
                if (b.isSparse()) {
                    if (!kind.keepsZeros()) throw new DataException(Scaler.centeringRefusal(kind));
                    s.addSparse(b.sparse);
                } else {
                    s.addColumnMajor(b.features, b.rows, b.cols);
                }
            }
            return Collections.singletonList(s).iterator();
        }).collect();
        FeatureStats total = new FeatureStats(numFeatures);
        for (FeatureStats s : parts) {
            total.merge(s);
        }
        return Scaler.fit(kind, total);
    }

    static JavaRDD<RowBlock> apply(JavaRDD<RowBlock> blocks, Scaler scaler) {
        return blocks.map(b -> b.scaled(scaler)); // sparse: values copied and scaled, indices shared
    }
}
