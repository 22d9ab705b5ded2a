package org.descent.job.score;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.descent.job.data.RowBlock;
import org.descent.job.exchange.EpochEndWork;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Precision;

/**
 * A training run's validation set held in the driver's JVM, partition by partition, with one {@link Chunker} per
 * partition: validation without a Spark job (issue 17: a job, its task launch and the parameters' copy cost 2-3x the
 * forward passes of the 10k Fashion-MNIST test images). Figures: partition p's blocks are scored in order into a fresh
 * {@link ScoreMetrics} and the partitions' accumulators merged in partition order, as {@link Scorer#evaluate} does
 * over the validation RDD: the same bits, whichever thread scores which partition.
 *
 * <p>Who scores: in local mode the allreduce ranks, at each complete epoch's end (they hold the epoch-end parameters
 * and run on the task slots; {@link #atEpochEnds}, {@link EpochEndWork}): rank r scores partitions r, r + R, ...,
 * and the driver {@link #takeScored takes} the merged figures with the pass's wall time. Otherwise (another engine, a
 * cluster, an epoch end the ranks did not score) {@link #evaluate} scores on up to {@code threads} driver threads.
 *
 * <p>Memory: one copy. In local mode the driver takes the cached block objects themselves ({@link #handOver}); the
 * caller then unpersists the RDD. Once a partition's chunker keeps all its blocks laid out for the pass
 * ({@code keepValues}), the blocks are dropped: the laid-out chunks replace them.
 *
 * <p>Call order: {@link #handOver}, construct, then per epoch either the ranks' {@code score} calls followed by
 * {@link #takeScored}, or {@link #evaluate}; {@link #close} at the end.
 */
public final class HeldValidation implements AutoCloseable {
    /** Blocks handed from the tasks of {@link #handOver} to the driver, by hand-over key and partition. */
    private static final ConcurrentHashMap<String, List<RowBlock>> HANDED = new ConcurrentHashMap<>();

    private final ModelArchitecture arch;
    private final Precision precision;
    private final long keepValues;
    /** The blocks by partition; a partition's entry turns null once its chunker keeps all of them. */
    private final RowBlock[][] blocks;
    private final int[] blockCount;
    private final Chunker[] chunkers;
    private final int threads;
    private ExecutorService pool;
    /** The ranks' figures by epoch, and the last epoch whose partitions were all scored (guarded by this). */
    private final Map<Integer, EpochScores> scored = new HashMap<>();
    private int lastComplete = -1;

    /**
     * The merged figures of a pass the ranks ran, and when it started and ended ({@link System#nanoTime} of this JVM:
     * the first partition's start, the last one's end).
     */
    public record Scored(ScoreMetrics metrics, long start, long end) {}

    /** One epoch's partitions as the ranks score them. */
    private static final class EpochScores {
        final ScoreMetrics[] parts;
        int done;
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;

        EpochScores(int partitions) {
            parts = new ScoreMetrics[partitions];
        }
    }

    /**
     * @param partitions the blocks of each partition, in partition order
     * @param precision  the run's {@code training.precision} ({@link Scorer#forValidation})
     * @param keepValues feature values each partition's chunker keeps laid out ({@link Chunker})
     * @param threads    driver threads of {@link #evaluate} (the task slots in local mode)
     */
    public HeldValidation(ModelArchitecture arch, Precision precision, long keepValues, List<RowBlock[]> partitions,
                          int threads) {
        this.arch = arch;
        this.precision = precision;
        this.keepValues = keepValues;
        this.blocks = partitions.toArray(new RowBlock[0][]);
        this.blockCount = new int[blocks.length];
        for (int p = 0; p < blocks.length; p++) blockCount[p] = blocks[p].length;
        this.chunkers = new Chunker[blocks.length];
        this.threads = Math.max(1, Math.min(threads, blocks.length));
    }

    /**
     * The blocks of the cached {@code rdd} by partition, on the driver. Local mode: the tasks, which run in this JVM,
     * hand over the objects they read (the cached ones themselves for a deserialized storage level: no copy and no
     * serialisation); else they are collected.
     */
    public static List<RowBlock[]> handOver(JavaSparkContext jsc, JavaRDD<RowBlock> rdd) {
        if (!jsc.sc().isLocal()) {
            List<RowBlock[]> out = new ArrayList<>();
            for (List<RowBlock> part : rdd.glom().collect()) out.add(part.toArray(new RowBlock[0]));
            return out;
        }
        String key = "descent-validation-" + UUID.randomUUID();
        try {
            rdd.mapPartitionsWithIndex((i, it) -> {
                List<RowBlock> part = new ArrayList<>();
                it.forEachRemaining(part::add);
                HANDED.put(key + "/" + i, part);
                return Collections.<Integer>emptyIterator();
            }, false).count();
            List<RowBlock[]> out = new ArrayList<>();
            for (int p = 0; p < rdd.getNumPartitions(); p++) {
                List<RowBlock> part = HANDED.get(key + "/" + p);
                if (part == null) throw new IllegalStateException("validation partition " + p + " was not handed over");
                out.add(part.toArray(new RowBlock[0]));
            }
            return out;
        } finally {
            for (int p = 0; p < rdd.getNumPartitions(); p++) HANDED.remove(key + "/" + p);
        }
    }

    public int partitions() {
        return blocks.length;
    }

    /** Scores partition {@code p} into a fresh accumulator (its chunker is used by one thread at a time). */
    ScoreMetrics scorePartition(int p, double[] params) {
        ScoreMetrics acc = new ScoreMetrics(arch);
        Chunker ch;
        synchronized (chunkers) {
            if (chunkers[p] == null) chunkers[p] = new Chunker(arch, arch.numFeatures(), precision, keepValues);
            ch = chunkers[p];
        }
        synchronized (ch) {
            RowBlock[] bs = blocks[p];
            if (bs == null) {
                for (int i = 0; i < blockCount[p]; i++) ch.scoreKept(i, params, acc);
                return acc;
            }
            boolean all = true;
            for (int i = 0; i < bs.length; i++) {
                ch.score(i, bs[i], params, acc);
                all &= ch.holds(i);
            }
            if (all) blocks[p] = null; // the laid-out chunks replace the blocks: one copy of the set
        }
        return acc;
    }

    /** The figures of {@code params} scored on the driver: partitions on up to {@code threads} threads. */
    public ScoreMetrics evaluate(double[] params) {
        ScoreMetrics[] parts = new ScoreMetrics[blocks.length];
        if (threads == 1) {
            for (int p = 0; p < parts.length; p++) parts[p] = scorePartition(p, params);
        } else {
            List<Future<ScoreMetrics>> fs = new ArrayList<>();
            for (int p = 0; p < parts.length; p++) {
                int q = p;
                fs.add(pool().submit(() -> scorePartition(q, params)));
            }
            for (int p = 0; p < parts.length; p++) parts[p] = result(fs.get(p));
        }
        return merged(parts);
    }

    private static ScoreMetrics result(Future<ScoreMetrics> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while validating", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException("validation failed: " + e.getCause(), e.getCause());
        }
    }

    private ScoreMetrics merged(ScoreMetrics[] parts) {
        ScoreMetrics total = new ScoreMetrics(arch);
        for (ScoreMetrics p : parts) total.merge(p);
        return total;
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "descent-validation");
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** The ranks' scoring at epoch ends ({@link EpochEndWork}); the driver then {@link #takeScored takes} it. */
    public EpochEndWork.Scoring atEpochEnds() {
        return this::scoreAsRank;
    }

    private void scoreAsRank(int epoch, int rank, int ranks, double[] params, BooleanSupplier cancelled) {
        for (int p = rank; p < blocks.length; p += ranks) {
            long t0 = System.nanoTime();
            ScoreMetrics m = scorePartition(p, params);
            put(epoch, p, m, t0, System.nanoTime());
        }
        // every rank, not only rank 0 (whose epoch-end record must carry the figures): a rank that went on would spin
        // in the next epoch's first exchange (SpinBarrier) on a core the others still score on
        awaitAll(epoch, cancelled);
    }

    private synchronized void put(int epoch, int p, ScoreMetrics m, long start, long end) {
        EpochScores e = scored.computeIfAbsent(epoch, k -> new EpochScores(blocks.length));
        if (e.parts[p] == null) e.done++; // a re-run attempt scores a partition again: the same bits
        e.parts[p] = m;
        e.start = Math.min(e.start, start);
        e.end = Math.max(e.end, end);
        if (e.done == blocks.length) lastComplete = Math.max(lastComplete, epoch);
        notifyAll();
    }

    /** Blocks (no spinning) until every partition of {@code epoch} is scored, or the stage is cancelled. */
    private synchronized void awaitAll(int epoch, BooleanSupplier cancelled) {
        // not the epoch's entry: the driver may have taken it (rank 0 went on) before this rank woke up
        while (lastComplete < epoch) {
            if (cancelled.getAsBoolean()) throw new IllegalStateException("validation of epoch " + (epoch + 1)
                    + " cancelled");
            try {
                wait(10);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the validation of epoch " + (epoch + 1));
            }
        }
    }

    /**
     * The ranks' figures of {@code epoch} merged in partition order, and the pass's times; null if the ranks did
     * not score every partition of it (then {@link #evaluate}). Forgets that epoch and the ones before.
     */
    public synchronized Scored takeScored(int epoch) {
        EpochScores e = scored.get(epoch);
        scored.keySet().removeIf(k -> k <= epoch);
        if (e == null || e.done != blocks.length) return null;
        return new Scored(merged(e.parts), e.start, e.end);
    }

    @Override
    public synchronized void close() {
        if (pool != null) pool.shutdownNow();
        pool = null;
        scored.clear();
        java.util.Arrays.fill(chunkers, null);
        java.util.Arrays.fill(blocks, null);
    }
}
