package org.descent.job.data;

import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.descent.math.scale.Scaler;

/**
 * A data set read, validated and packed: exactly one {@link RowBlock} per partition (empty blocks
 * allowed), not yet cached. {@code numFeatures} and {@code numClasses} are the validated counts
 * (numClasses = 0 for REAL labels); {@code badRowCounts} is "reason -> count" under the SKIP policy.
 * {@code packing} (null for blocks made elsewhere) builds the blocks from the parsed rows the data stage holds:
 * {@link #stored} then packs them straight into their cached form, and {@link #release} frees the parsed rows.
 */
public record LoadedData(JavaRDD<RowBlock> blocks, long count, int numFeatures, int numClasses,
                         Map<String, Long> badRowCounts, Packing packing) {

    /** Blocks made elsewhere (tests, Spark ML): {@link #stored} maps them with {@link RowBlock#stored}. */
    public LoadedData(JavaRDD<RowBlock> blocks, long count, int numFeatures, int numClasses,
                      Map<String, Long> badRowCounts) {
        this(blocks, count, numFeatures, numClasses, badRowCounts, null);
    }

    /** Packs the parsed rows into blocks in a given stored form, and frees them. */
    public interface Packing {
        /** The blocks scaled by {@code scaler} (null: not) and stored in {@code storage}, built in place. */
        JavaRDD<RowBlock> stored(Scaler scaler, Storage storage);

        /** Frees the parsed rows (call once the stored blocks are cached; later packing reads the input again). */
        void release();
    }

    /**
     * The blocks as cached: scaled by {@code scaler} (null: not) in float64, then stored in {@code storage}; the same
     * bits as {@code blocks().map(b -> b.stored(scaler, storage))}, without the intermediate float64 copy when
     * {@link #packing} is set.
     */
    public JavaRDD<RowBlock> stored(Scaler scaler, Storage storage) {
        if (packing != null) return packing.stored(scaler, storage);
        if (scaler == null && storage != Storage.FLOAT32) return blocks;
        return blocks.map(b -> b.stored(scaler, storage)); // sparse: values copied and scaled, indices shared
    }

    /** Frees what the blocks are built from, if the data stage holds it (no-op otherwise). */
    public void release() {
        if (packing != null) packing.release();
    }
}
