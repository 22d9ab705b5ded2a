package org.descent.job.exchange;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.scheduler.TaskLocation;
import org.descent.job.data.RowBlock;
import scala.collection.Iterator;
import scala.collection.immutable.Seq;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The barrier stage's input when there are more cached partitions than task slots: R partitions, partition r being
 * the contiguous group {@code [groupStart[r], groupStart[r+1])} of the cached block RDD's P partitions. Its one
 * element is the group's blocks in partition order ({@code null} for an empty partition), read lazily through the
 * parent's own {@code iterator} (cache hit, remote fetch, read from disk, or recompute, as for any task).
 *
 * <p>Why not {@code coalesce}: Spark refuses a barrier stage whose RDD chain holds an RDD with a different partition
 * count (SPARK-24820), so this RDD declares no dependency on the parent and reads it as {@code zipPartitions} would;
 * the parent's lineage travels in the task like any RDD's. Preferred locations are where the group's first
 * partition is cached, so a task usually reads at least that partition locally.
 */
final class PartitionGroupRDD extends RDD<RowBlock[]> {
    private static final long serialVersionUID = 1L;
    private static final ClassTag<RowBlock[]> TAG = ClassTag$.MODULE$.apply(RowBlock[].class);

    private final RDD<RowBlock> parent;
    private final Partition[] parentPartitions;
    private final int[] groupStart;

    /** @param groupStart R + 1 ascending partition indices, from 0 to the parent's partition count */
    @SuppressWarnings({"unchecked", "rawtypes"})
    PartitionGroupRDD(RDD<RowBlock> parent, int[] groupStart) {
        super(parent.context(), (Seq) scala.collection.immutable.Nil$.MODULE$, TAG);
        this.parent = parent;
        this.parentPartitions = parent.partitions();
        this.groupStart = groupStart.clone();
        parent.dependencies(); // computed on the driver: the copy in the task needs its lineage
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
                    Iterator<RowBlock> it = parent.iterator(parentPartitions[p], context);
                    out[j] = it.hasNext() ? it.next() : null;
                    if (it.hasNext()) throw new IllegalStateException("partition " + p + " holds more than one row block");
                }
                return out;
            }
        };
    }

    @Override
    public Seq<String> getPreferredLocations(Partition split) {
        int first = groupStart[split.index()];
        List<String> locs = new ArrayList<>();
        scala.collection.Iterator<TaskLocation> it = parent.context().getPreferredLocs(parent, first).iterator();
        while (it.hasNext()) locs.add(it.next().toString());
        return scala.jdk.javaapi.CollectionConverters.asScala(locs).toList();
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
