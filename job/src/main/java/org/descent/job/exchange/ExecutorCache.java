package org.descent.job.exchange;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Per-executor (per-JVM) buffers that live across the tasks of one training run: a partition's batch
 * buffers, gradient accumulator and network workspace are allocated by its first task and reused by
 * every later step, never per step or per row. Keyed by {@code runId/kind/partition}; released by
 * {@link #release(String)} when the run ends.
 */
public final class ExecutorCache {
    private static final org.apache.logging.log4j.Logger LOG =
            org.apache.logging.log4j.LogManager.getLogger(ExecutorCache.class);
    private static final ConcurrentHashMap<String, Object> CACHE = new ConcurrentHashMap<>();

    private ExecutorCache() {}

    @SuppressWarnings("unchecked")
    public static <T> T get(String runId, String kind, int partition, Supplier<T> create) {
        return (T) CACHE.computeIfAbsent(runId + "/" + kind + "/" + partition, k -> create.get());
    }

    /** Drops every entry of the run. */
    public static void release(String runId) {
        CACHE.keySet().removeIf(k -> k.startsWith(runId + "/"));
    }

    /**
     * End of a run: drops the run's buffers (and in-JVM allreduce hubs) on every executor that holds a partition of
     * {@code blocks}, and in this JVM. Best effort: executors that are gone hold nothing.
     */
    public static void releaseEverywhere(org.apache.spark.api.java.JavaSparkContext jsc,
                                         org.apache.spark.api.java.JavaRDD<?> blocks, String runId) {
        try {
            jsc.setJobDescription("descent: release executor buffers");
            blocks.foreachPartition(it -> releaseInThisJvm(runId));
        } catch (Exception e) { // best effort: executors that are gone hold nothing
            LOG.warn("could not release the run's executor buffers ({}); they are freed when the executors exit",
                    e.toString());
        } finally {
            releaseInThisJvm(runId);
        }
    }

    private static void releaseInThisJvm(String runId) {
        release(runId);
        LocalHub.release(runId + "/");
        NodeExchange.release(runId + "/");
    }

    /** Entries held for the run (tests). */
    public static long size(String runId) {
        return CACHE.keySet().stream().filter(k -> k.startsWith(runId + "/")).count();
    }
}
