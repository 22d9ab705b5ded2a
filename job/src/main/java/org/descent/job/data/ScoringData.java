package org.descent.job.data;

import java.util.Map;

import org.apache.spark.api.java.JavaRDD;

/**
 * Data read for evaluate/predict: packed in input order (no shuffle: partition p holds a contiguous
 * range of row ids, rows in id order, so concatenating the blocks in partition order gives the input
 * order: files by path, rows by position). Labels are NaN when the input has no label column.
 */
public record ScoringData(JavaRDD<ScoringBlock> blocks, long count, int numFeatures, int numClasses,
                          Map<String, Long> badRowCounts) {

    /** The same blocks without the original ids, e.g. for evaluation code written against {@link LoadedData}. */
    public LoadedData asLoadedData() {
        return new LoadedData(blocks.map(ScoringBlock::block), count, numFeatures, numClasses, badRowCounts);
    }
}
