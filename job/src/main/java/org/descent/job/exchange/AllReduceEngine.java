package org.descent.job.exchange;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
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
 * next checkpoint), whose P tasks (one per cached partition, all running at once) exchange gradients directly over
 * TCP every step ({@link Mesh}: fixed-order reduce-scatter + all-gather) and each apply the same optimizer update
 * ({@link SegmentTask}). The driver is out of the per-step data path: per segment it broadcasts the start state
 * (parameters and optimizer state), serves the address rendezvous ({@link Rendezvous}), and takes the final state
 * and the per-step figures back from rank 0. Results are bit-identical to {@link DriverStepEngine}.
 *
 * <p><b>Failures.</b> If a task or executor fails mid-segment, Spark aborts the barrier stage and runs it again
 * (up to {@code spark.stage.maxConsecutiveAttempts}); the new attempt starts from the same broadcast state, so the
 * segment's result is the same bits. Checkpoints are written at segment ends, which {@link #segmentEnd} aligns with
 * {@code checkpoint.every-steps}.
 *
 * <p><b>Requirements</b> (checked by {@link StepEngines}): every partition's task must run at once (partitions
 * ≤ task slots) and dynamic allocation must be off; executors must reach the driver host (rendezvous) and each
 * other (an ephemeral port per task).
 */
public final class AllReduceEngine implements StepEngine {
    private static final Logger LOG = LogManager.getLogger(AllReduceEngine.class);
    private static final ClassTag<SegmentResult> RESULT = ClassTag$.MODULE$.apply(SegmentResult.class);
    /** How long a task waits for all P tasks at the rendezvous. */
    static final int RENDEZVOUS_TIMEOUT_MILLIS = 120_000;

    private final JavaSparkContext jsc;
    private final JavaRDD<RowBlock> blocks;
    private final BatchPlan plan;
    private final Rendezvous rendezvous;
    private final SegmentTask.Setup setup;
    private int segment;

    /**
     * @param localSteps k: 1 = synchronous SGD; k > 1 = local SGD, parameters and optimizer state averaged every k
     *                   steps
     * @param averaging  run the model-averaging path even for k = 1 (tests: it must agree with synchronous SGD)
     */
    public AllReduceEngine(JavaSparkContext jsc, JavaRDD<RowBlock> blocks, ModelArchitecture architecture, BatchPlan plan,
                           int numParams, Precision precision, OptimizerSpec optimizer, ScheduleSpec schedule,
                           MiniBatchUpdate update, int localSteps, boolean averaging) {
        this.jsc = jsc;
        this.blocks = blocks;
        this.plan = plan;
        String advertised = jsc.getConf().get("spark.driver.host", "127.0.0.1");
        String bind = jsc.getConf().get("spark.driver.bindAddress", advertised);
        try {
            this.rendezvous = new Rendezvous(bind, advertised);
        } catch (IOException e) {
            throw new UncheckedIOException("allreduce: cannot open the rendezvous port on " + bind + ": " + e.getMessage(), e);
        }
        this.setup = new SegmentTask.Setup("descent-" + UUID.randomUUID(), architecture, plan, precision,
                blocks.getNumPartitions(), optimizer, schedule, update, localSteps, averaging || localSteps > 1,
                rendezvous.address(), rendezvous.token(), RENDEZVOUS_TIMEOUT_MILLIS);
        LOG.info("allreduce exchange: {} tasks, rendezvous at {}:{}{}", setup.partitions(), rendezvous.address().host(),
                rendezvous.address().port(), setup.averaging() ? ", local SGD: average every " + localSteps + " steps" : "");
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

    @Override
    public void run(int epoch, int from, int to, double[] params, Optimizer optimizer, StepSink sink) {
        int seg = segment++;
        Broadcast<byte[][]> start = jsc.broadcast(new byte[][] {DoubleBytes.encode(params), optimizer.saveState()});
        List<SegmentResult> results;
        String interrupt = jsc.getLocalProperty("spark.job.interruptOnCancel");
        try {
            jsc.setJobDescription("descent epoch " + (epoch + 1) + "/" + plan.epochs() + " steps " + (from + 1) + "-" + to
                    + "/" + plan.stepsPerEpoch() + " (allreduce)");
            // a failed barrier task makes Spark kill its peers: interrupt them out of their socket reads
            jsc.setLocalProperty("spark.job.interruptOnCancel", "true");
            RDD<SegmentResult> rdd = blocks.rdd().barrier().mapPartitions(new SegmentTask(setup, start, seg, epoch, from, to),
                    false, RESULT);
            results = JavaRDD.fromRDD(rdd, RESULT).collect();
        } finally {
            jsc.setLocalProperty("spark.job.interruptOnCancel", interrupt);
            start.destroy();
        }
        SegmentResult first = results.get(0);
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
        int p = results.size();
        for (int k = 0; k < first.steps; k++) {
            StepTiming timing = new StepTiming(first.wallNanos[k], first.computeMaxNanos[k], first.computeSumNanos[k], 0, 0,
                    p, first.updateNanos[k]);
            MiniBatchUpdate.Outcome o = new MiniBatchUpdate.Outcome(first.loss[k], first.gradNorm[k],
                    first.learningRate[k], MiniBatchUpdate.Status.values()[first.status[k]]);
            sink.onStep(epoch, from + k, new StepResult(null, first.lossSum[k], first.rows[k], null, timing), o);
        }
        if (first.steps != to - from) {
            throw new IllegalStateException("allreduce segment " + seg + " stopped after " + first.steps + " of "
                    + (to - from) + " steps without a failed step");
        }
        DoubleBytes.decode(first.params, params);
        optimizer.restoreState(first.optimizerState);
    }

    @Override
    public void close() {
        rendezvous.close();
        String id = setup.runId();
        try {
            jsc.setJobDescription("descent: release executor buffers");
            blocks.foreachPartition(it -> ExecutorCache.release(id));
        } catch (Exception ignored) {
            // best effort: executors that are gone hold nothing
        } finally {
            ExecutorCache.release(id);
        }
    }
}
