package org.descent.job.train;

import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.descent.job.data.DataException;
import org.descent.job.data.RowBlock;
import org.descent.job.data.Storage;

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
                if (b.isSparse() && !kind.keepsZeros()) throw new DataException(Scaler.centeringRefusal(kind));
                b.addTo(s);
            }
            return Collections.singletonList(s).iterator();
        }).collect();
        FeatureStats total = new FeatureStats(numFeatures);
        for (FeatureStats s : parts) {
            total.merge(s);
        }
        return Scaler.fit(kind, total);
    }

    /**
     * The blocks as cached: scaled by {@code scaler} (null: none) and stored in {@code storage} (one copy per block;
     * the packed float64 block is dropped once the stored one exists). Unchanged blocks when there is nothing to do.
     */
    static JavaRDD<RowBlock> apply(JavaRDD<RowBlock> blocks, Scaler scaler, Storage storage) {
        if (scaler == null && storage != Storage.FLOAT32) return blocks;
        return blocks.map(b -> b.stored(scaler, storage)); // sparse: values copied and scaled, indices shared
    }
}
