package org.descent.job.exchange;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.descent.job.data.DataException;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Precision;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;
import org.descent.math.optim.OptimizerSpec;
import org.descent.math.optim.ScheduleSpec;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * {@code training.exchange = allreduce}: one Spark <em>barrier</em> job per segment of steps (an epoch, or up to the
 * next checkpoint), whose R tasks (all running at once; task r owns a fixed contiguous group of the P cached
 * partitions, one partition each when R = P) exchange gradients directly over
 * TCP every step ({@link Mesh}: fixed-order reduce-scatter + all-gather) and each apply the same optimizer update
 * ({@link SegmentTask}). The driver is out of the per-step data path: per segment it broadcasts the start state
 * (parameters and optimizer state), serves the address rendezvous ({@link Rendezvous}), and takes the final state
 * and the per-step figures back from rank 0. Results are bit-identical to {@link DriverStepEngine}.
 *
 * <p><b>Failures.</b> If a task or executor fails mid-segment, Spark kills the barrier stage's other tasks and fails
 * the job (it does not re-run a failed barrier <em>result</em> stage); the driver then runs the segment again, up to
 * {@code spark.stage.maxConsecutiveAttempts} (4) times in all, from the same broadcast start state, so the segment's
 * result is the same bits. Before a re-run ({@link #prepareAttempt}) it recomputes lost cached blocks in a plain job
 * ({@link CachedBlocks}: full lineage, so lost shuffle outputs are recomputed too) and waits a while for the task
 * slots to come back (a replacement executor); if fewer slots come back, the segment runs on fewer ranks with larger
 * partition groups (the same bits: they depend on the partition count only). The driver also checks before every
 * segment that every block is cached, because the barrier stage has no lineage to recompute one
 * ({@link PartitionGroupRDD}). Data errors are not retried. Checkpoints are written at segment ends, which
 * {@link #segmentEnd} aligns with {@code checkpoint.every-steps}.
 *
 * <p><b>Requirements</b> (checked by {@link StepEngines}): the R tasks run at once (R = min(partitions, task
 * slots)) and dynamic allocation must be off; executors must reach the driver host (rendezvous) and each
 * other (an ephemeral port per task).
 */
public final class AllReduceEngine implements StepEngine {
    private static final Logger LOG = LogManager.getLogger(AllReduceEngine.class);
    private static final ClassTag<SegmentResult> RESULT = ClassTag$.MODULE$.apply(SegmentResult.class);
    /** How long a task waits for all P tasks at the rendezvous. */
    static final int RENDEZVOUS_TIMEOUT_MILLIS = 120_000;

    /** How long a re-run waits for the task slots of the ranks to come back (a replacement executor). */
    static final long SLOT_WAIT_MILLIS = 30_000;

    private final JavaSparkContext jsc;
    private final JavaRDD<RowBlock> blocks;
    private final BatchPlan plan;
    private final Rendezvous rendezvous;
    /** The segments' shared setup; its partition groups shrink if a re-run finds fewer task slots. */
    private SegmentTask.Setup setup;
    private final int maxAttempts;
    private int segment;
    private boolean warnedUncacheable;
    private boolean transportLogged;

    /**
     * @param localSteps    k: 1 = synchronous SGD; k > 1 = local SGD, parameters and optimizer state averaged every
     *                      k steps
     * @param partitionRows rows of each partition (every task derives each step's global row count from them,
     *                      which the sharded update needs before the exchange completes)
     * @param tcp           always exchange over TCP, also between tasks that share a JVM ({@link #TRANSPORT_KEY})
     * @param ranks         barrier tasks R, 1 ≤ R ≤ partitions P: task r owns the r-th of R contiguous partition groups
     *                      (sizes differ by at most one) and sums their partials in partition order; R = P is one
     *                      partition per task. The bits do not depend on R (only on P).
     */
    public AllReduceEngine(JavaSparkContext jsc, JavaRDD<RowBlock> blocks, ModelArchitecture architecture, BatchPlan plan,
                           Precision precision, OptimizerSpec optimizer, ScheduleSpec schedule, MiniBatchUpdate update,
                           int localSteps, long[] partitionRows, boolean tcp, int ranks) {
        this.jsc = jsc;
        this.blocks = blocks;
        int partitions = blocks.getNumPartitions();
        if (localSteps > 1 && ranks != partitions) {
            throw new IllegalArgumentException("local SGD needs one task per partition: " + ranks + " ranks for "
                    + partitions + " partitions");
        }
        int[] groupStart = PartitionGroupRDD.groups(partitions, ranks);
        this.plan = plan;
        this.maxAttempts = Math.max(1, jsc.getConf().getInt("spark.stage.maxConsecutiveAttempts", 4));
        String advertised = jsc.getConf().get("spark.driver.host", "127.0.0.1");
        String bind = jsc.getConf().get("spark.driver.bindAddress", advertised);
        try {
            this.rendezvous = new Rendezvous(bind, advertised);
        } catch (IOException e) {
            throw new UncheckedIOException("allreduce: cannot open the rendezvous port on " + bind + ": " + e.getMessage(), e);
        }
        this.setup = new SegmentTask.Setup("descent-" + UUID.randomUUID(), architecture, plan, precision,
                blocks.getNumPartitions(), optimizer, schedule, update, localSteps, rendezvous.address(),
                rendezvous.token(), RENDEZVOUS_TIMEOUT_MILLIS, !tcp, partitionRows.clone(), groupStart);
        LOG.info("allreduce exchange: {} tasks for {} partitions{}, rendezvous at {}:{}{}", ranks, partitions,
                ranks == partitions ? "" : " (contiguous groups of " + (partitions / ranks)
                        + (partitions % ranks == 0 ? "" : "-" + (partitions / ranks + 1)) + ", summed in partition order)",
                rendezvous.address().host(), rendezvous.address().port(),
                setup.averaging() ? ", local SGD: average every " + localSteps + " steps" : "");
    }

    /**
     * {@value #TRANSPORT_KEY} (a Spark setting, read from the session's runtime conf when the engine is built):
     * {@code auto} (default: ranks that all share one JVM, as in local mode, exchange through memory,
     * {@link LocalHub}) or {@code tcp} (always sockets).
     */
    public static final String TRANSPORT_KEY = "spark.descent.allreduce.transport";

    @Override
    public String name() {
        return setup.averaging() ? "allreduce (local SGD, k=" + setup.localSteps() + ")" : "allreduce";
    }

    @Override
    public int segmentEnd(int epoch, int from, int steps, long stateEvery) {
        if (stateEvery <= 0) return steps;
        long base = (long) epoch * steps;
        long next = ((base + from) / stateEvery + 1) * stateEvery; // global step count of the next checkpoint
        return (int) Math.max(from + 1, Math.min(steps, next - base));
    }

    @Override
    public void run(int epoch, int from, int to, double[] params, Optimizer optimizer, StepSink sink) {
        Broadcast<byte[][]> start = jsc.broadcast(new byte[][] {DoubleBytes.encode(params), optimizer.saveState()});
        int[] delivered = {0};
        List<SegmentResult> results = null;
        int seg = -1;
        try {
            for (int attempt = 1; results == null; attempt++) {
                seg = segment++;
                try {
                    RDD<?> input = prepareAttempt(attempt);
                    results = runSegment(seg, input, start, epoch, from, to, sink, delivered);
                } catch (SegmentFailedException e) {
                    // Spark cannot re-run a failed barrier *result* stage ("Could not recover from a failed barrier
                    // ResultStage"): the driver re-runs the whole segment from the same start state instead.
                    java.util.Optional<String> bad = rendezvous.dataError(seg);
                    if (bad.isPresent()) throw new DataException(bad.get(), e.getCause());
                    if (DataException.findIn(e.getCause()).isPresent() || attempt >= maxAttempts) throw e.unwrap();
                    LOG.warn("allreduce segment (epoch {}, steps {}-{}) failed (attempt {}/{}): {}; running it again from "
                            + "the same start state", epoch + 1, from + 1, to, attempt, maxAttempts,
                            firstLine(e.getCause()));
                }
            }
        } finally {
            start.destroy();
        }
        finish(seg, results, epoch, from, params, optimizer, sink, delivered[0], to - from);
    }

    /** Why a segment's Spark job failed (not the step sink: a sink exception passes through unwrapped). */
    private static final class SegmentFailedException extends RuntimeException {
        SegmentFailedException(Throwable cause) {
            super(cause);
        }

        RuntimeException unwrap() {
            Throwable c = getCause();
            return c instanceof RuntimeException re ? re : new IllegalStateException(c.getMessage(), c);
        }
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * What attempt {@code attempt} of a segment runs over, after making sure its blocks are cached: always a
     * {@link PartitionGroupRDD} over the cached blocks (groups of one partition when R = P), which declares no
     * lineage, because Spark refuses a barrier stage whose RDD chain holds an RDD with another partition count (the
     * data stage packs blocks through a coalesce) and could not recompute a lost block inside it anyway. Every
     * attempt asks the block manager master which blocks exist (one RPC); missing ones, and on a re-run all (the
     * master's list may still name a dead executor), are recomputed in a plain job first; a re-run then waits for
     * the task slots. A failure here (the plain job's) counts as a failed attempt.
     */
    private RDD<?> prepareAttempt(int attempt) {
        try {
            boolean rerun = attempt > 1;
            BitSet missing = CachedBlocks.missing(blocks);
            boolean recomputed = rerun || !missing.isEmpty();
            if (recomputed) {
                BitSet which = new BitSet();
                which.set(0, blocks.getNumPartitions());
                if (!rerun) which = missing;
                LOG.info("allreduce: {} of {} cached blocks missing before {}; recomputing{}", missing.cardinality(),
                        blocks.getNumPartitions(), rerun ? "a re-run" : "a segment", rerun ? " any lost block" : "");
                CachedBlocks.materialise(jsc, blocks, which, "allreduce " + (rerun ? "re-run" : "segment"));
            }
            if (rerun) awaitSlots();
            BitSet uncached = recomputed ? CachedBlocks.missing(blocks) : missing;
            if (!uncached.isEmpty() && !warnedUncacheable) {
                warnedUncacheable = true;
                LOG.warn("allreduce: {} of {} training blocks stay uncached after recomputing them (storage memory too "
                        + "small for memory-only?); the barrier tasks recompute them, and an executor lost then stops the "
                        + "run; use training.storage-level = memory-and-disk", uncached.cardinality(),
                        blocks.getNumPartitions());
            }
            return new PartitionGroupRDD(blocks.rdd(), setup.groupStart(), uncached,
                    RankPlacement.place(blocks.id(), setup.groupStart(), StepEngines.taskSlots(jsc.sc())));
        } catch (org.descent.job.data.DataException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SegmentFailedException(e);
        }
    }

    /**
     * A re-run: waits up to {@link #SLOT_WAIT_MILLIS} for the task slots the ranks need (Spark's own check for a
     * barrier job retries only every 15 s); with fewer slots by then, the ranks shrink to the slots (larger groups,
     * the same bits). Local SGD keeps one rank per partition.
     */
    private void awaitSlots() {
        int ranks = setup.ranks();
        long deadline = System.currentTimeMillis() + SLOT_WAIT_MILLIS;
        int slots = StepEngines.taskSlots(jsc.sc());
        while (slots >= 0 && slots < ranks && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for task slots", e);
            }
            slots = StepEngines.taskSlots(jsc.sc());
        }
        if (slots >= 1 && slots < ranks && !setup.averaging()) {
            int partitions = blocks.getNumPartitions();
            setup = setup.withGroups(PartitionGroupRDD.groups(partitions, slots));
            LOG.warn("allreduce: only {} task slots after {} s (the ranks had {}): the segment runs on {} ranks for {} "
                    + "partitions (larger partition groups, the same bits)", slots, SLOT_WAIT_MILLIS / 1000, ranks, slots,
                    partitions);
        }
    }

    /** One Spark barrier job for the segment; streams its steps to the sink as they arrive. */
    private List<SegmentResult> runSegment(int seg, RDD<?> stageInput, Broadcast<byte[][]> start, int epoch, int from,
                                           int to, StepSink sink, int[] delivered) {
        String interrupt = jsc.getLocalProperty("spark.job.interruptOnCancel");
        JavaFutureAction<List<SegmentResult>> job = null;
        try {
            jsc.setJobDescription("descent epoch " + (epoch + 1) + "/" + plan.epochs() + " steps " + (from + 1) + "-" + to
                    + "/" + plan.stepsPerEpoch() + " (allreduce)");
            // a failed barrier task makes Spark kill its peers: interrupt them out of their socket reads
            jsc.setLocalProperty("spark.job.interruptOnCancel", "true");
            @SuppressWarnings({"unchecked", "rawtypes"})
            RDD<SegmentResult> rdd = ((RDD) stageInput).barrier().mapPartitions(
                    (scala.Function1) new SegmentTask(setup, start, seg, epoch, from, to), false, RESULT);
            job = JavaRDD.fromRDD(rdd, RESULT).collectAsync();
            // progress while the segment runs: rank 0 streams each step; deliver them in order, once (a re-run
            // streams the same steps again, with the same bits)
            while (!job.isDone()) {
                Rendezvous.StepRecord rec = poll();
                if (rec != null && rec.segment() == seg && rec.k() == delivered[0]) {
                    sink.onStep(epoch, from + rec.k(), rec.figures());
                    delivered[0]++;
                }
            }
            return job.get();
        } catch (ExecutionException e) {
            throw new SegmentFailedException(e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for allreduce segment " + seg, e);
        } catch (RuntimeException e) { // the sink stopped the run (a diverged step): stop the tasks too
            if (job != null && !job.isDone()) job.cancel(true);
            throw e;
        } finally {
            jsc.setLocalProperty("spark.job.interruptOnCancel", interrupt);
            final int s = seg;
            rendezvous.progress().removeIf(r -> r.segment() <= s);
        }
    }

    private void finish(int seg, List<SegmentResult> results, int epoch, int from, double[] params,
                        Optimizer optimizer, StepSink sink, int delivered, int steps) {
        SegmentResult first = results.get(0);
        if (!transportLogged) { // the first segment that completed (an earlier one may have failed)
            transportLogged = true;
            LOG.info("allreduce transport: {}", first.inJvm ? "in-JVM memory (all " + results.size()
                    + " tasks share one JVM)" : "TCP between " + results.size() + " tasks" + (first.nodes == 0 ? ""
                    : " (hierarchical: " + first.nodes + " executors, their tasks meet in memory, one leader each on "
                    + "the network)"));
        }
        if (first.rank != 0 || first.params == null) {
            throw new IllegalStateException("allreduce segment " + seg + ": no final state from rank 0");
        }
        for (SegmentResult r : results) {
            if (r.steps != first.steps || r.paramsHash != first.paramsHash) {
                throw new IllegalStateException("allreduce segment " + seg + ": rank " + r.rank + " ended after " + r.steps
                        + " steps with parameters " + Long.toHexString(r.paramsHash) + ", rank 0 after " + first.steps
                        + " with " + Long.toHexString(first.paramsHash) + " (the copies must be identical)");
            }
        }
        List<StepFigures> figures = StepFigures.decode(first.figures);
        for (int k = delivered; k < first.steps; k++) sink.onStep(epoch, from + k, figures.get(k));
        if (first.steps != steps) {
            throw new IllegalStateException("allreduce segment " + seg + " stopped after " + first.steps + " of "
                    + steps + " steps without a failed step");
        }
        DoubleBytes.decode(first.params, params);
        optimizer.restoreState(first.optimizerState);
    }

    private Rendezvous.StepRecord poll() throws InterruptedException {
        return rendezvous.progress().poll(5, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        rendezvous.close();
        ExecutorCache.releaseEverywhere(jsc, blocks, setup.runId());
    }

}
