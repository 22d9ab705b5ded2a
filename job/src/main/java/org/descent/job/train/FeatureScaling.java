package org.descent.job.train;

import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
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
        // one pass; a partition of sparse blocks under max-abs returns only the features it holds (SparseMaxAbs)
        List<Object> parts = blocks.mapPartitions(it -> {
            FeatureStats s = null;
            SparseMaxAbs sparse = SparseMaxAbs.empty();
            while (it.hasNext()) {
                RowBlock b = it.next();
                if (b.isSparse() && !kind.keepsZeros()) throw new DataException(Scaler.centeringRefusal(kind));
                if (b.isSparse() && kind == ScalerKind.MAX_ABS && s == null) {
                    sparse = SparseMaxAbs.merge(sparse, SparseMaxAbs.of(b.sparse));
                } else {
                    if (s == null) s = new FeatureStats(numFeatures);
                    b.addTo(s);
                }
            }
            return Collections.<Object>singletonList(s != null ? s : sparse).iterator();
        }).collect();
        if (parts.stream().allMatch(p -> p instanceof SparseMaxAbs)) {
            return SparseMaxAbs.scaler(parts.stream().map(p -> (SparseMaxAbs) p).toList(), numFeatures);
        }
        FeatureStats total = new FeatureStats(numFeatures);
        for (Object s : parts) {
            if (!(s instanceof FeatureStats f)) throw new IllegalStateException("sparse and dense blocks in one data set");
            total.merge(f);
        }
        return Scaler.fit(kind, total);
    }

    /**
     * The blocks as cached: scaled by {@code scaler} (null: none) and stored in {@code storage} (one copy per block;
     * the packed float64 block is dropped once the stored one exists). Unchanged blocks when there is nothing to do.
     */
    static JavaRDD<RowBlock> apply(JavaRDD<RowBlock> blocks, Scaler scaler, Storage storage) {
        if (scaler == null && storage != Storage.FLOAT32) return blocks;
        // The scaler travels as a broadcast: captured in the closure it would ride in the task binary of every stage
        // whose lineage holds these blocks (each training step's job), 2 x 8 x numFeatures bytes each time.
        Broadcast<Scaler> bc = scaler == null ? null
                : JavaSparkContext.fromSparkContext(blocks.context()).broadcast(scaler);
        return blocks.map(b -> b.stored(bc == null ? null : bc.value(), storage)); // sparse: values scaled, indices shared
    }
}
