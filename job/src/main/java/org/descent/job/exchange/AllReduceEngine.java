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
 * {@code training.exchange = allreduce}: one Spark <em>barrier</em> job per segment of steps (all the epochs left,
 * {@link #runEpochs}, when the driver needs the state at epoch ends only and it is at most
 * {@link #SPAN_MAX_STATE_BYTES}; else an epoch, or up to the next checkpoint, {@link #run}), whose R tasks (all running at once; task r owns a fixed contiguous group of the P cached
 * partitions, one partition each when R = P) exchange gradients directly over
 * TCP every step ({@link Mesh}: fixed-order reduce-scatter + all-gather) and each apply the same optimizer update
 * ({@link SegmentTask}). The driver is out of the per-step data path: per segment it hands out the start state
 * (parameters and optimizer state: a broadcast, or in local mode the driver's arrays, {@link SegmentStart}), serves
 * the address rendezvous ({@link Rendezvous}), and takes the final state and the per-step figures back from rank 0;
 * in a segment of several epochs rank 0 also streams each epoch's end state, which the driver validates, reports
 * and checkpoints while the next epoch runs ({@link EpochSpan}). Results are bit-identical to
 * {@link DriverStepEngine}, however the epochs are cut into segments. At {@link #close} it logs the exchange's bytes
 * per step ({@link ExchangeTraffic}).
 *
 * <p><b>Failures.</b> If a task or executor fails mid-segment, Spark kills the barrier stage's other tasks and fails
 * the job (it does not re-run a failed barrier <em>result</em> stage); the driver then runs the segment again, up to
 * {@code spark.stage.maxConsecutiveAttempts} (4) consecutive failures, from the same broadcast start state or, in a
 * segment of several epochs, from the last epoch end it received, so the segment's result is the same bits. Before a re-run ({@link #prepareAttempt}) it recomputes lost cached blocks in a plain job
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
    /** Rank 0's exchange counts over the completed segments, logged at {@link #close}. */
    private final ExchangeTraffic traffic = new ExchangeTraffic();
    private boolean inJvm;

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
     * {@value #TRANSPORT_KEY} (a Spark setting, read from the SparkContext's conf when the engine is built):
     * {@code auto} (default: ranks that all share one JVM, as in local mode, exchange through memory,
     * {@link LocalHub}) or {@code tcp} (always sockets).
     */
    public static final String TRANSPORT_KEY = "spark.descent.allreduce.transport";

    /**
     * {@value #SPAN_KEY} (a Spark setting, read from the SparkContext's conf when training starts): {@code true}
     * (default: all epochs in one barrier job when the driver needs nothing between them, {@link #runEpochs}) or
     * {@code false} (one job per epoch, e.g. to see each epoch as its own job in the Spark UI). The same bits either
     * way.
     */
    public static final String SPAN_KEY = "spark.descent.allreduce.span-epochs";

    /**
     * Has the ranks run {@code s} at the end of every complete epoch, where they run in this JVM (local mode;
     * {@link EpochEndWork}); until {@link #close}.
     */
    public void scoreAtEpochEnds(EpochEndWork.Scoring s) {
        EpochEndWork.register(setup.runId(), s);
    }

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

    /**
     * Largest state (parameters and optimizer arrays, 8 bytes each) for which {@link #runEpochs} runs several epochs
     * per barrier job: rank 0 streams this much to the driver at every epoch end, and the driver holds it while it
     * validates (64 MiB: e.g. 2.8M parameters with Adam's two arrays).
     */
    public static final long SPAN_MAX_STATE_BYTES = 64L << 20;

    @Override
    public void run(int epoch, int from, int to, double[] params, Optimizer optimizer, StepSink sink) {
        runSpan(new EpochSpan(plan.stepsPerEpoch(), epoch, from, epoch, to, params, optimizer, sink, null), params,
                optimizer);
    }

    @Override
    public boolean spansEpochs(double[] params, Optimizer optimizer) {
        return 8L * params.length * (1 + optimizer.stateArrays().length) <= SPAN_MAX_STATE_BYTES;
    }

    /**
     * One barrier job for all the epochs left (issue 17: a tiny epoch's job launch costs more than its steps): rank 0
     * streams every epoch's end state, the driver calls {@code end} with it while the job runs on, and cancels the job
     * when {@code end} says stop. A failed job runs again from the last epoch end the driver received.
     */
    @Override
    public void runEpochs(int epoch, int from, int epochs, double[] params, Optimizer optimizer, StepSink sink,
                          EpochEnd end) {
        runSpan(new EpochSpan(plan.stepsPerEpoch(), epoch, from, epochs - 1, plan.stepsPerEpoch(), params, optimizer,
                sink, end), params, optimizer);
    }

    /**
     * Runs {@code span} in barrier jobs until it is done or stopped: every attempt starts from the state the driver
     * holds (broadcast again only once an epoch end has moved it on), up to {@link #maxAttempts} consecutive failed
     * attempts without an epoch end delivered.
     */
    private void runSpan(EpochSpan span, double[] params, Optimizer optimizer) {
        SegmentStart start = null;
        int startEnds = -1;
        int failures = 0;
        try {
            while (true) {
                if (span.endsDelivered() != startEnds) { // the driver's state moved on (or the first attempt)
                    if (start != null) start.destroy();
                    start = SegmentStart.of(jsc, params, optimizer);
                    startEnds = span.endsDelivered();
                }
                int seg = segment++;
                span.startAttempt(seg);
                String what = describe(span);
                int ends = span.endsDelivered();
                try {
                    runSegment(seg, prepareAttempt(failures > 0), start, span);
                    return;
                } catch (SegmentFailedException e) {
                    // Spark cannot re-run a failed barrier *result* stage ("Could not recover from a failed barrier
                    // ResultStage"): the driver re-runs the segment from the state it holds instead.
                    java.util.Optional<String> bad = rendezvous.dataError(seg);
                    if (bad.isPresent()) throw new DataException(bad.get(), e.getCause());
                    failures = span.endsDelivered() > ends ? 1 : failures + 1;
                    if (DataException.findIn(e.getCause()).isPresent() || failures >= maxAttempts) throw e.unwrap();
                    LOG.warn("allreduce segment ({}) failed (attempt {}/{}): {}; running it again from {}", what,
                            failures, maxAttempts, e.causeFirstLine(), span.moved()
                                    ? "the end of epoch " + span.nextEpoch() + " (the last the driver received)"
                                    : "the same start state");
                }
            }
        } finally {
            if (start != null) start.destroy();
        }
    }

    /** The attempt's steps for logs and the Spark UI, e.g. "epoch 2, steps 1-15" or "epochs 3-20". */
    private String describe(EpochSpan span) {
        int e = span.nextEpoch();
        if (e == span.lastEpoch()) return "epoch " + (e + 1) + ", steps " + (span.nextStep() + 1) + "-" + span.to();
        return "epochs " + (e + 1) + "-" + (span.lastEpoch() + 1) + (span.nextStep() == 0 ? ""
                : ", from step " + (span.nextStep() + 1));
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
    private RDD<?> prepareAttempt(boolean rerun) {
        try {
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
        ExecutorChanges changes = ExecutorChanges.of(jsc.sc());
        long seen = changes.version(); // before the slot count: a change in between ends the wait at once
        int slots = StepEngines.taskSlots(jsc.sc());
        while (slots >= 0 && slots < ranks && System.currentTimeMillis() < deadline) {
            changes.awaitChange(seen, deadline, "task slots"); // wakes when an executor comes or goes
            seen = changes.version();
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

    /**
     * One Spark barrier job for the attempt; passes what rank 0 streams (steps, epoch ends) to {@code span} as it
     * arrives, cancels the job if the span stops (early stopping), and finishes the span with rank 0's result.
     */
    private void runSegment(int seg, RDD<?> stageInput, SegmentStart start, EpochSpan span) {
        String interrupt = jsc.getLocalProperty("spark.job.interruptOnCancel");
        JavaFutureAction<List<SegmentResult>> job = null;
        try {
            jsc.setJobDescription("descent " + describe(span) + " of " + plan.epochs() + " (allreduce)");
            // a failed barrier task makes Spark kill its peers: interrupt them out of their socket reads
            jsc.setLocalProperty("spark.job.interruptOnCancel", "true");
            @SuppressWarnings({"unchecked", "rawtypes"})
            RDD<SegmentResult> rdd = ((RDD) stageInput).barrier().mapPartitions((scala.Function1) new SegmentTask(
                    setup, start, seg, span.nextEpoch(), span.nextStep(), span.lastEpoch(), span.to()), false, RESULT);
            job = JavaRDD.fromRDD(rdd, RESULT).collectAsync();
            while (!job.isDone() && !span.stopped()) {
                Rendezvous.Progress p = poll(span);
                if (p != null) span.accept(p);
            }
            if (span.stopped()) { // early stopping at an epoch end: the epochs after it are not wanted
                job.cancel(true);
                return;
            }
            SegmentResult first = checked(seg, job.get());
            // the epoch ends before the last arrive through rank 0's stream, which may lag the job's end a little
            while (span.endsDelivered() < first.epoch && !span.streamEnded() && !span.stopped()) {
                Rendezvous.Progress p = poll(span);
                if (p != null) span.accept(p);
            }
            if (span.stopped()) return;
            if (span.endsDelivered() < first.epoch) {
                throw new SegmentFailedException(new IllegalStateException("rank 0's progress stream ended before the "
                        + "end of epoch " + (span.endsDelivered() + 1) + " arrived"));
            }
            span.finish(first);
        } catch (ExecutionException e) {
            throw new SegmentFailedException(e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for allreduce segment " + seg, e);
        } catch (SegmentFailedException e) {
            throw e;
        } catch (RuntimeException e) { // the sink or the epoch end stopped the run (a diverged step): stop the tasks too
            if (job != null && !job.isDone()) job.cancel(true);
            throw e;
        } finally {
            jsc.setLocalProperty("spark.job.interruptOnCancel", interrupt);
            final int s = seg;
            rendezvous.progress().removeIf(r -> r.segment() <= s);
        }
    }

    /** Rank 0's result, after checking that every rank ended with the same parameters after the same steps. */
    private SegmentResult checked(int seg, List<SegmentResult> results) {
        SegmentResult first = results.get(0);
        if (first.traffic != null) traffic.add(first.traffic);
        inJvm = first.inJvm;
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
            if (r.epoch != first.epoch || r.steps != first.steps || r.paramsHash != first.paramsHash) {
                throw new IllegalStateException("allreduce segment " + seg + ": rank " + r.rank + " ended after " + r.steps
                        + " steps of epoch " + (r.epoch + 1) + " with parameters " + Long.toHexString(r.paramsHash)
                        + ", rank 0 after " + first.steps + " of epoch " + (first.epoch + 1) + " with "
                        + Long.toHexString(first.paramsHash) + " (the copies must be identical)");
            }
        }
        return first;
    }

    /**
     * The next streamed record, or null after a short wait: 5 ms once the running attempt's stream has ended (the job
     * is about to finish: notice it soon), 50 ms before (rank 0 sends its steps in batches every 50 ms,
     * {@link SegmentRun#record}; the driver's thread need not wake more often on the ranks' cores, and a job ends
     * only after its stream does, but for a job that fails before rank 0 connects).
     */
    private Rendezvous.Progress poll(EpochSpan span) throws InterruptedException {
        return rendezvous.progress().poll(span.streamEnded() ? 5 : 50, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        String bytes = traffic.line(setup.ranks(), setup.architecture().layers().get(0).out(), inJvm);
        if (bytes != null) LOG.info(bytes);
        EpochEndWork.remove(setup.runId());
        rendezvous.close();
        ExecutorCache.releaseEverywhere(jsc, blocks, setup.runId());
    }

}
