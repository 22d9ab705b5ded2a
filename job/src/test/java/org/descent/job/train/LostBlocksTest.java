package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.HashPartitioner;
import org.apache.spark.MapOutputTrackerMaster;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.RDDBlockId;
import org.descent.job.config.JobConfig;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowBlock;
import org.descent.job.fault.Faults;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * Issue 13: an executor lost during an allreduce run with partition groups (4 partitions on local[2]: 2 barrier tasks
 * of 2 partitions). The loss is simulated in local mode the way Spark sees it on a cluster: the cached blocks of rank
 * 1's group are removed and every map output of the shuffle below them is unregistered, then rank 1's task fails.
 * The driver must recompute the blocks through their lineage in a plain job (a shuffle fetch inside the grouped
 * barrier stage, which has no lineage to them, used to stop Spark's DAGScheduler and the context) and run the
 * segment again: the model has the bits of a run without the loss.
 */
class LostBlocksTest {
    private static final String MLP = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [12], activation = tanh, init = xavier-uniform }
            optimizer { kind = adam, learning-rate = 0.01 }
            data.scaling = standard
            training { epochs = 2, batch-size = 64, seed = 19, partitions = 4, exchange = allreduce }
            """;
    private static final AtomicInteger LOST_BLOCKS = new AtomicInteger();
    private static final AtomicInteger LOST_SHUFFLES = new AtomicInteger();

    /** The data behind a shuffle, as the job's readers give it (rows move to their partitions through a shuffle). */
    private static LoadedData shuffled(InMemoryData data, int partitions) {
        LoadedData plain = data.toLoaded(partitions);
        JavaRDD<RowBlock> blocks = plain.blocks()
                .mapPartitionsWithIndex((i, it) -> {
                    java.util.List<Tuple2<Integer, RowBlock>> out = new java.util.ArrayList<>();
                    while (it.hasNext()) out.add(new Tuple2<>(i, it.next()));
                    return out.iterator();
                }, true)
                .mapToPair(t -> t)
                .partitionBy(new HashPartitioner(partitions))
                .values();
        return new LoadedData(blocks, plain.count(), plain.numFeatures(), plain.numClasses(), Map.of());
    }

    /** What an executor loss does to the driver's view: rank 1's cached blocks and all map outputs are gone. */
    private static void loseRank1Blocks(JavaSparkContext jsc) {
        for (JavaRDD<?> rdd : jsc.getPersistentRDDs().values()) {
            if (rdd.getNumPartitions() != 4) continue;
            for (int p = 2; p < 4; p++) {
                RDDBlockId id = new RDDBlockId(rdd.id(), p);
                if (SparkEnv.get().blockManager().getStatus(id).isDefined()) LOST_BLOCKS.incrementAndGet();
                SparkEnv.get().blockManager().removeBlock(id, true);
            }
            Deque<RDD<?>> todo = new ArrayDeque<>();
            todo.add(rdd.rdd());
            while (!todo.isEmpty()) {
                scala.collection.Iterator<org.apache.spark.Dependency<?>> deps = todo.pop().dependencies().iterator();
                while (deps.hasNext()) {
                    org.apache.spark.Dependency<?> d = deps.next();
                    if (d instanceof ShuffleDependency<?, ?, ?> s) {
                        ((MapOutputTrackerMaster) SparkEnv.get().mapOutputTracker())
                                .unregisterAllMapAndMergeOutput(s.shuffleId());
                        LOST_SHUFFLES.incrementAndGet();
                    }
                    todo.add(d.rdd());
                }
            }
        }
    }

    @Test
    void givenPartitionGroups_whenAnExecutorsBlocksAndShuffleOutputsAreLostMidRun_thenTheRunRecoversWithTheSameBits()
            throws java.io.IOException {
        InMemoryData data = InMemoryData.blobs(1200, 5, 3, 31); // 19 steps per epoch at batch 64
        JobConfig cfg = TestConfigs.of(MLP);
        double[] clean = new Trainer(TestSpark.session(), cfg).train(shuffled(data, 4), null).params();
        Path log = Path.of("target", "test-spark.log");
        long before = Files.exists(log) ? Files.size(log) : 0;
        AtomicBoolean lost = new AtomicBoolean();
        JavaSparkContext jsc = TestSpark.jsc(); // the hook runs in a task thread: no session access there
        double[] recovered;
        try (Faults.Installed f = Faults.install(new Faults.Hooks() {
            @Override
            public void beforeSegmentStep(int rank, long globalStep) {
                if (rank == 1 && globalStep == 25 && lost.compareAndSet(false, true)) {
                    loseRank1Blocks(jsc);
                    throw new IllegalStateException("injected executor loss at rank 1, global step 25");
                }
            }
        })) {
            recovered = new Trainer(TestSpark.session(), cfg).train(shuffled(data, 4), null).params();
        }
        assertTrue(lost.get(), "the loss was injected");
        assertEquals(2, LOST_BLOCKS.get(), "cached blocks removed");
        assertTrue(LOST_SHUFFLES.get() >= 1, "map outputs unregistered");
        assertFalse(TestSpark.session().sparkContext().isStopped(), "the SparkContext survived");
        assertEquals(clean.length, recovered.length);
        for (int i = 0; i < clean.length; i++) {
            assertEquals(Double.doubleToRawLongBits(clean[i]), Double.doubleToRawLongBits(recovered[i]),
                    "param " + i + ": " + clean[i] + " vs " + recovered[i]);
        }
        String newLog = Files.readString(log).substring((int) before);
        assertTrue(newLog.contains("allreduce exchange: 2 tasks for 4 partitions"), newLog);
        assertTrue(newLog.contains("failed (attempt 1/4)"), newLog);
    }
}
