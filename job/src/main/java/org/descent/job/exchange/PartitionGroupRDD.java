package org.descent.job.exchange;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.apache.spark.Partition;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.scheduler.TaskLocation;
import org.apache.spark.storage.BlockResult;
import org.apache.spark.storage.RDDBlockId;
import org.descent.job.data.RowBlock;
import scala.collection.Iterator;
import scala.collection.immutable.Seq;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The barrier stage's input (also with one partition per task, R = P): R partitions, partition r being
 * the contiguous group {@code [groupStart[r], groupStart[r+1])} of the cached block RDD's P partitions. Its one
 * element is the group's blocks in partition order ({@code null} for an empty partition), read lazily from the
 * block managers (this executor's memory or disk, or another executor's).
 *
 * <p>Why not {@code coalesce}, or the cached RDD itself when R = P: Spark refuses a barrier stage whose RDD chain
 * holds an RDD with a different partition count (SPARK-24820), and the data stage packs the blocks through a
 * coalesce, so this RDD declares no dependency on the parent. Therefore a block must not be recomputed
 * here: recomputing reads the shuffle below the blocks, and a shuffle fetch failure in a stage that does not declare
 * the shuffle stops Spark's DAGScheduler (and the context) instead of re-running the map stage. So a block that no
 * block manager holds fails the task with a {@link LostBlockException}; the driver recomputes the block in a plain job
 * with its lineage ({@link CachedBlocks#materialise}) and runs the segment again. Only partitions that the driver
 * found uncacheable right after recomputing them (memory-only storage too small for the block) are recomputed
 * here ({@code recompute}): their shuffle outputs were complete a moment before. Preferred locations are the
 * executors caching any of the group's blocks.
 */
final class PartitionGroupRDD extends RDD<RowBlock[]> {
    private static final long serialVersionUID = 1L;
    private static final ClassTag<RowBlock[]> TAG = ClassTag$.MODULE$.apply(RowBlock[].class);

    private final RDD<RowBlock> parent;
    private final Partition[] parentPartitions;
    private final int[] groupStart;
    private final BitSet recompute;
    /** Each rank's preferred location ({@link RankPlacement}); null: where its blocks are. */
    private final String[][] placement;

    /**
     * @param groupStart R + 1 ascending partition indices, from 0 to the parent's partition count
     * @param recompute  partitions that are not cached and may be computed through the parent's lineage here
     * @param placement  each rank's preferred locations, or null for every executor caching a block of its group
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    PartitionGroupRDD(RDD<RowBlock> parent, int[] groupStart, BitSet recompute, String[][] placement) {
        super(parent.context(), (Seq) scala.collection.immutable.Nil$.MODULE$, TAG);
        this.parent = parent;
        this.parentPartitions = parent.partitions();
        this.groupStart = groupStart.clone();
        this.recompute = (BitSet) recompute.clone();
        this.placement = placement;
        parent.dependencies(); // computed on the driver: the copy in the task needs its lineage
    }

    /** A cached block that no block manager holds (its executor was lost, or it was evicted). */
    static final class LostBlockException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        LostBlockException(String message) {
            super(message);
        }
    }

    private record Group(int index) implements Partition {
        @Override
        public int index() {
            return index;
        }
    }

    @Override
    public Partition[] getPartitions() {
        Partition[] out = new Partition[groupStart.length - 1];
        for (int r = 0; r < out.length; r++) out[r] = new Group(r);
        return out;
    }

    @Override
    public Iterator<RowBlock[]> compute(Partition split, TaskContext context) {
        int r = split.index();
        // lazy: a data error while reading surfaces inside the task's own read (see SegmentTask)
        return new scala.collection.AbstractIterator<>() {
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public RowBlock[] next() {
                done = true;
                RowBlock[] out = new RowBlock[groupStart[r + 1] - groupStart[r]];
                for (int j = 0; j < out.length; j++) {
                    int p = groupStart[r] + j;
                    Iterator<?> it = recompute.get(p) ? parent.iterator(parentPartitions[p], context) : cached(p);
                    out[j] = it.hasNext() ? (RowBlock) it.next() : null;
                    if (it.hasNext()) throw new IllegalStateException("partition " + p + " holds more than one row block");
                }
                return out;
            }
        };
    }

    /** Partition {@code p}'s cached block from a block manager (local or remote); never recomputed. */
    private Iterator<?> cached(int p) {
        RDDBlockId id = new RDDBlockId(parent.id(), p);
        scala.Option<BlockResult> r = SparkEnv.get().blockManager().get(id, parent.elementClassTag());
        if (r.isEmpty()) {
            throw new LostBlockException("cached training block " + id + " is lost (its executor was lost or it was "
                    + "evicted); the driver recomputes it and runs the segment again");
        }
        return r.get().data();
    }

    /**
     * The rank's place from {@link RankPlacement} (all ranks can start at once), else every executor that caches a
     * block of the group.
     */
    @Override
    public Seq<String> getPreferredLocations(Partition split) {
        int r = split.index();
        if (placement != null) return scala.jdk.javaapi.CollectionConverters.asScala(List.of(placement[r])).toList();
        java.util.LinkedHashSet<String> locs = new java.util.LinkedHashSet<>();
        for (int p = groupStart[r]; p < groupStart[r + 1]; p++) {
            scala.collection.Iterator<TaskLocation> it = parent.context().getPreferredLocs(parent, p).iterator();
            while (it.hasNext()) locs.add(it.next().toString());
        }
        return scala.jdk.javaapi.CollectionConverters.asScala(new ArrayList<>(locs)).toList();
    }

    /**
     * Contiguous groups of {@code partitions} for {@code ranks} tasks, sizes differing by at most one (the larger
     * groups first): entry r is the first partition of rank r, entry {@code ranks} is {@code partitions}.
     */
    static int[] groups(int partitions, int ranks) {
        if (ranks < 1 || ranks > partitions) {
            throw new IllegalArgumentException("ranks " + ranks + " for " + partitions + " partitions");
        }
        int[] start = new int[ranks + 1];
        int base = partitions / ranks;
        int extra = partitions % ranks;
        for (int r = 0; r < ranks; r++) start[r + 1] = start[r] + base + (r < extra ? 1 : 0);
        return start;
    }
}
