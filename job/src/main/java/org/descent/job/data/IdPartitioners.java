package org.descent.job.data;

import org.apache.spark.Partitioner;

/** Spark partitioners keyed by row id (Long); public so the Spark ML estimators place rows exactly as {@code train} does. */
public final class IdPartitioners {
    private IdPartitioners() {}

    /** Seeded random placement: {@link RowAssignment#partitionOf}. */
    public static final class Seeded extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final long seed;
        private final int partitions;

        public Seeded(long seed, int partitions) {
            this.seed = seed;
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return RowAssignment.partitionOf(seed, (Long) key, partitions);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Seeded s && s.seed == seed && s.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(seed) * 31 + partitions;
        }
    }

    /** Input order: ids 0..count-1 split into contiguous, nearly equal ranges. */
    static final class InOrder extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final long count;
        private final int partitions;

        InOrder(long count, int partitions) {
            this.count = Math.max(1, count);
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            long id = (Long) key;
            long p = Math.multiplyHigh(id, partitions) == 0 && id * partitions >= 0
                    ? id * partitions / count
                    : (long) ((double) id / count * partitions);
            return (int) Math.min(partitions - 1, Math.max(0, p));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof InOrder s && s.count == count && s.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(count) * 31 + partitions;
        }
    }
}
