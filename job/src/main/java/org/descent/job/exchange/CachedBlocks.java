package org.descent.job.exchange;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.RDDBlockId;
import org.descent.job.data.DataException;
import org.descent.job.data.RowBlock;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Driver side: which of the cached training blocks exist, and recomputing the lost ones in a plain (non-barrier)
 * Spark job. The allreduce engine calls {@link #missing} before a segment's barrier job and {@link #materialise}
 * when blocks are missing or a segment is run again after a failure. A plain job carries the blocks' full lineage, so
 * Spark recomputes a lost block the normal way, including lost shuffle outputs below it (a fetch failure re-runs
 * the map stage), task by task; inside a barrier stage without that lineage (partition groups) it cannot.
 */
final class CachedBlocks {
    private static final ClassTag<Integer> INT = ClassTag$.MODULE$.apply(Integer.class);

    private CachedBlocks() {}

    /** Partitions of {@code blocks} whose cached block no live block manager reports (one RPC to the driver's master). */
    static BitSet missing(JavaRDD<RowBlock> blocks) {
        int n = blocks.getNumPartitions();
        BlockId[] ids = new BlockId[n];
        for (int p = 0; p < n; p++) ids[p] = new RDDBlockId(blocks.id(), p);
        scala.collection.IndexedSeq<? extends scala.collection.Seq<?>> locs =
                SparkEnv.get().blockManager().master().getLocations(ids);
        BitSet out = new BitSet(n);
        for (int p = 0; p < n; p++) {
            if (locs.apply(p).isEmpty()) out.set(p);
        }
        return out;
    }

    /**
     * Runs a plain job over the given partitions of {@code blocks}: each task asks for its block, which Spark reads
     * from the cache or, if lost, recomputes through its lineage and caches again (the task does not deserialize a
     * block that is present). A data error while recomputing is thrown as the {@link DataException}.
     */
    static void materialise(JavaSparkContext jsc, JavaRDD<RowBlock> blocks, BitSet partitions, String why) {
        List<Object> which = new ArrayList<>();
        partitions.stream().forEach(which::add);
        if (which.isEmpty()) return;
        String description = jsc.getLocalProperty("spark.job.description");
        try {
            jsc.setJobDescription("descent: " + why + ": recompute and cache " + which.size() + " training block(s)");
            jsc.sc().runJob(blocks.rdd(), new Touch(),
                    scala.jdk.javaapi.CollectionConverters.asScala(which).toSeq(), INT);
        } catch (Exception e) { // Spark actions throw the checked SparkException undeclared
            java.util.Optional<DataException> bad = DataException.findIn(e);
            if (bad.isPresent()) throw new DataException(bad.get().getMessage(), e);
            if (e instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            jsc.setJobDescription(description);
        }
    }

    /** The job's function: the task has already obtained (read or recomputed and cached) its block. */
    private static final class Touch extends AbstractFunction1<scala.collection.Iterator<RowBlock>, Integer>
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer apply(scala.collection.Iterator<RowBlock> it) {
            return 0;
        }
    }
}
