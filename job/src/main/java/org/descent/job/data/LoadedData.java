package org.descent.job.data;

import org.apache.spark.api.java.JavaRDD;

/**
 * A data set read, validated and packed: exactly one {@link RowBlock} per partition (empty blocks
 * allowed), not yet cached. {@code numFeatures} and {@code numClasses} are the validated counts
 * (numClasses = 0 for REAL labels); {@code badRowCounts} is "reason -> count" under the SKIP policy.
 */
public record LoadedData(JavaRDD<RowBlock> blocks, long count, int numFeatures, int numClasses,
                         java.util.Map<String, Long> badRowCounts) {}
