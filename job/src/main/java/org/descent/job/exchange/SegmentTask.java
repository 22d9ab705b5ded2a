package org.descent.job.exchange;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.nn.Precision;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;
import org.descent.math.optim.OptimizerSpec;
import org.descent.math.optim.ScheduleSpec;
import scala.collection.Iterator;
import scala.collection.Iterator$;
import scala.runtime.AbstractFunction1;

/**
 * One task of an allreduce segment (a Spark barrier stage over the cached blocks, one task per partition, all
 * running at once): steps {@code [from, to)} of an epoch without returning to the driver in between.
 *
 * <p><b>Synchronous ({@code localSteps == 1}).</b> Per step: this partition's slice gradient (the same
 * {@link StepTask.State#gradientAt} call as the broadcast-collect engine), then {@link Mesh#allReduce} of
 * {@code [gradient sum | loss sum | rows | compute time per rank]}, then every task applies the same
 * {@link MiniBatchUpdate} to its own copy of the parameters and optimizer. The summed vector is bit-identical on
 * all ranks and equal to the driver's partition-order sum, so every copy stays bit-identical to the driver engine's.
 *
 * <p><b>Local SGD ({@code localSteps = k > 1}, or {@code averaging} forced).</b> Each task steps its own copy on its
 * own slice ({@code MiniBatchUpdate} with the local gradient and row count); after every k-th step of the epoch (and
 * at the segment's end) the tasks replace parameters and optimizer state arrays by their row-weighted mean,
 * {@code w = sum_i n_i w_i / sum_i n_i} (n_i = rows task i used since the last average), through the same
 * allreduce. The reported loss of a step is the row-weighted mean of the tasks' local losses.
 *
 * <p>Call order inside: register with the driver's {@link Rendezvous} and connect the {@link Mesh}; decode the start
 * state from the broadcast; run the steps; rank 0 returns the final state and per-step figures. On any failure the
 * mesh is closed so the peers fail too, and Spark re-runs the whole stage from the same broadcast start state.
 */
final class SegmentTask extends AbstractFunction1<Iterator<RowBlock>, Iterator<SegmentResult>>
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Everything a segment's tasks share (serialised once with the task). */
    record Setup(String runId, ModelArchitecture architecture, BatchPlan plan, Precision precision, int partitions,
                 OptimizerSpec optimizer, ScheduleSpec schedule, MiniBatchUpdate update, int localSteps,
                 boolean averaging, Rendezvous.Address rendezvous, long token, int timeoutMillis, boolean inJvm,
                 long[] partitionRows)
            implements Serializable {}

    /**
     * Test hook: {@code -D}{@value #FAIL_ONCE_PROPERTY}{@code =RANK:STEP} makes that rank's task throw once per JVM when
     * it reaches that global step (local-mode tests of the segment re-run).
     */
    static final String FAIL_ONCE_PROPERTY = "descent.test.allreduceFailOnce";
    private static final java.util.concurrent.atomic.AtomicBoolean FAILED_ONCE = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Test hook: environment variable {@value #STEP_DELAY_ENV} (milliseconds, set on executors through
     * {@code spark.executorEnv.*}) sleeps before every step, so that scripts/it-cluster.sh's executor kill lands in
     * the middle of a segment.
     */
    static final String STEP_DELAY_ENV = "DESCENT_TEST_STEP_DELAY_MS";
    private static final long STEP_DELAY = parseDelay(System.getenv(STEP_DELAY_ENV));

    private static long parseDelay(String v) {
        try {
            return v == null ? 0 : Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void maybeFail(int rank, long t) {
        if (STEP_DELAY > 0) {
            try {
                Thread.sleep(STEP_DELAY);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        String spec = System.getProperty(FAIL_ONCE_PROPERTY);
        if (spec == null || !spec.equals(rank + ":" + t)) return;
        if (FAILED_ONCE.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure (" + FAIL_ONCE_PROPERTY + "=" + spec + ")");
        }
    }

    private final Setup setup;
    private final Broadcast<byte[][]> start;
    private final int segment;
    private final int epoch;
    private final int from;
    private final int to;

    SegmentTask(Setup setup, Broadcast<byte[][]> start, int segment, int epoch, int from, int to) {
        this.setup = setup;
        this.start = start;
        this.segment = segment;
        this.epoch = epoch;
        this.from = from;
        this.to = to;
    }

    @Override
    public Iterator<SegmentResult> apply(Iterator<RowBlock> blocks) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        RowBlock block = blocks.hasNext() ? blocks.next() : null;
        if (blocks.hasNext()) throw new IllegalStateException("partition " + rank + " holds more than one row block");
        int n = block == null ? 0 : block.rows;
        int cols = StepTask.denseCols(block);
        StepTask.State st = ExecutorCache.get(setup.runId(), "allreduce", rank,
                () -> new StepTask.State(setup.architecture(), setup.plan().maxRowsPerStep(n), n, cols, setup.precision()));
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        synchronized (st) {
            if (block != null) st.permute(setup.plan(), epoch, rank);
            try (Mesh mesh = Mesh.connect(setup.rendezvous(), setup.token(), setup.runId(), segment, ctx.stageAttemptNumber(), rank,
                    setup.partitions(), host, setup.timeoutMillis(), setup.inJvm())) {
                SegmentResult r = setup.averaging() ? runAveraging(st, block, mesh) : runSynchronous(st, block, mesh);
                r.inJvm = mesh.inJvm();
                mesh.markDone();
                return Iterator$.MODULE$.single(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Optimizer startState(StepTask.State st) {
        byte[][] s = start.value();
        DoubleBytes.decode(s[0], st.params);
        Optimizer opt = setup.optimizer().build(setup.schedule());
        opt.init(st.network.layout());
        opt.restoreState(s[1]);
        return opt;
    }

    /** Gradient sum of this partition's slice of {@code step} into {@code out[0, W)}; returns rows, loss in out[W]. */
    private int sliceGradient(StepTask.State st, RowBlock block, int step, double[] out) {
        int w = st.params.length;
        int m = 0;
        double loss = 0;
        if (block != null) {
            int s = setup.plan().sliceStart(step, block.rows);
            m = setup.plan().sliceEnd(step, block.rows) - s;
            if (m > 0) loss = st.gradientAt(block, s, m);
        }
        if (m > 0) System.arraycopy(st.grad, 0, out, 0, w);
        else Arrays.fill(out, 0, w, 0.0);
        out[w] = loss;
        return m;
    }

    /**
     * Fills this rank's contribution to a synchronous step's vector {@code [gradient sum (W) | loss | rows | compute
     * nanos per rank (P)]}: its slice's gradient, loss and rows, and its compute time in its own slot.
     */
    private void packStep(StepTask.State st, RowBlock block, int step, double[] vec, int rank) {
        int w = st.params.length;
        long c0 = System.nanoTime();
        Arrays.fill(vec, w + 1, vec.length, 0.0);
        vec[w + 1] = sliceGradient(st, block, step, vec);
        vec[w + 2 + rank] = System.nanoTime() - c0;
    }

    /** Slowest rank's compute time of a summed step vector (see {@link #packStep}). */
    private static long computeMax(double[] vec, int w, int p) {
        long max = 0;
        for (int r = 0; r < p; r++) max = Math.max(max, (long) vec[w + 2 + r]);
        return max;
    }

    /** All ranks' compute time of a summed step vector. */
    private static long computeSum(double[] vec, int w, int p) {
        long sum = 0;
        for (int r = 0; r < p; r++) sum += (long) vec[w + 2 + r];
        return sum;
    }

    /** One synchronous step's outcome and row count, and where its time went (compute included in the wall). */
    private record StepDone(MiniBatchUpdate.Outcome outcome, long rows, long wallNanos, long updateNanos) {}

    /** A synchronous step's working set, allocated once per segment. */
    private record Work(StepTask.State st, Optimizer opt, ParameterLayout layout, Mesh mesh, double[] vec, double[] grad,
                        int lo, int hi) {}

    /**
     * Synchronous SGD: per step, this rank's slice gradient ({@link #packStep}), then either the replicated update
     * ({@link #replicatedStep}) or, when nothing in the update needs the whole gradient, the sharded one
     * ({@link #shardedStep}); afterwards every rank holds the same parameters.
     */
    private SegmentResult runSynchronous(StepTask.State st, RowBlock block, Mesh mesh) throws IOException {
        boolean sharded = sharded();
        Optimizer opt = startState(st);
        int w = st.params.length;
        int p = setup.partitions();
        int rank = mesh.rank();
        double[] vec = new double[w + 2 + p];
        Work work = new Work(st, opt, st.network.layout(), mesh, vec, new double[w],
                Math.min(w, mesh.chunkStart(rank, vec.length)), Math.min(w, mesh.chunkStart(rank + 1, vec.length)));
        int steps = to - from;
        Stats stats = new Stats(steps);
        int done = 0;
        for (int k = 0; k < steps; k++) {
            int step = from + k;
            long t = (long) epoch * setup.plan().stepsPerEpoch() + step;
            maybeFail(rank, t);
            long c0 = System.nanoTime();
            packStep(st, block, step, vec, rank);
            StepDone d = sharded ? shardedStep(work, step, t, c0) : replicatedStep(work, t, c0);
            long cmax = computeMax(vec, w, p);
            // rank 0's clock starts when rank 0 starts the step; another rank can start earlier (task launch skew
            // at a segment's first step, or rank 0's thread descheduled on a busy machine), and the step then
            // lasted at least as long as that rank's compute
            stats.record(k, vec[w], d.rows(), d.outcome(), Math.max(d.wallNanos(), cmax), cmax, computeSum(vec, w, p),
                    d.updateNanos());
            emit(mesh, k, stats);
            done = k + 1;
            if (d.outcome().status() != MiniBatchUpdate.Status.OK) break;
        }
        if (sharded) gatherState(work);
        return result(rank, done, st.params, opt, stats);
    }

    /** Allreduce of the step vector, then every rank applies the whole {@link MiniBatchUpdate}. */
    private StepDone replicatedStep(Work x, long t, long c0) throws IOException {
        double[] vec = x.vec();
        int w = x.grad().length;
        x.mesh().allReduce(vec, vec.length, t);
        long c2 = System.nanoTime();
        MiniBatchUpdate.Outcome o = setup.update().apply(x.st().params, vec, vec[w], (long) vec[w + 1], t, x.opt(),
                x.layout(), x.grad());
        return new StepDone(o, (long) vec[w + 1], c2 - c0, System.nanoTime() - c2);
    }

    /**
     * The sharded update applies when nothing in the update needs the whole gradient at once: no regularisation
     * (its penalty is a sum over all parameters) and no clipping (the global norm). Then every element's update
     * depends only on its own summed gradient, so each rank can update just the chunk it owns.
     */
    private boolean sharded() {
        return setup.update().regularization().isNone() && setup.update().clipping().isNone()
                && setup.partitionRows() != null;
    }

    /** Rows of step {@code step} over all partitions (every rank knows every partition's size). */
    private long globalRows(int step) {
        long rows = 0;
        for (long n : setup.partitionRows()) {
            rows += setup.plan().sliceEnd(step, (int) n) - setup.plan().sliceStart(step, (int) n);
        }
        return rows;
    }

    /**
     * One step with a sharded optimizer update (ZeRO-1 style): reduce-scatter the gradients; the owner of chunk c
     * applies {@code g = sum / n} and {@link Optimizer#stepRange} to the parameters of chunk c only (1/P of the
     * update work); all-gather the updated parameters (the same bytes an all-gather of gradients moves). Every
     * element gets the same bits as in {@link #replicatedStep}: the update rules are elementwise. Two figures
     * differ: the reported gradient norm is {@code sqrt} of the rank-order sum of the owners' sums of squares (a
     * different rounding than one dnrm2 over the whole gradient), and a non-finite loss is detected after the
     * update rather than before (the run stops either way, without a model). {@link #gatherState} completes the
     * optimizer state at the segment's end.
     */
    private StepDone shardedStep(Work x, int step, long t, long c0) throws IOException {
        double[] vec = x.vec();
        double[] grad = x.grad();
        double[] params = x.st().params;
        int w = grad.length;
        int n = vec.length;
        int lo = x.lo();
        int hi = x.hi();
        x.mesh().reduceScatter(vec, n, t);
        long c2 = System.nanoTime();
        long rows = globalRows(step);
        double inv = 1.0 / rows;
        double ss = 0;
        for (int i = lo; i < hi; i++) {
            double g = vec[i] * inv;
            grad[i] = g;
            ss += g * g;
        }
        if (!Double.isFinite(ss)) ss = nonFiniteMarker(grad, lo, hi, ss);
        x.opt().stepRange(params, grad, t, lo, hi);
        System.arraycopy(params, lo, vec, lo, hi - lo);
        long c3 = System.nanoTime();
        double[] squares = x.mesh().allGather(vec, n, t, ss);
        long c4 = System.nanoTime();
        System.arraycopy(vec, 0, params, 0, w);
        if ((long) vec[w + 1] != rows) {
            throw new IllegalStateException("allreduce: step " + step + " summed " + (long) vec[w + 1]
                    + " rows, the batch plan says " + rows);
        }
        double sumSq = 0;
        for (double q : squares) sumSq += q;
        double loss = vec[w] * inv;
        double norm = Math.sqrt(sumSq);
        MiniBatchUpdate.Status status = MiniBatchUpdate.Status.OK;
        // NaN = some gradient entry is not finite (as the driver's dnrm2 check); +Inf alone is only an overflow
        // of the plain sum of squares of a finite gradient, which the other engines would carry on with
        if (!Double.isFinite(loss) || Double.isNaN(norm)) {
            status = MiniBatchUpdate.Status.NON_FINITE_LOSS;
        } else {
            for (double v : params) {
                if (!Double.isFinite(v)) {
                    status = MiniBatchUpdate.Status.NON_FINITE_PARAMS;
                    break;
                }
            }
        }
        long c5 = System.nanoTime();
        MiniBatchUpdate.Outcome o = new MiniBatchUpdate.Outcome(loss, norm, x.opt().learningRate(t), status);
        // wall = compute + both exchange halves; update = the owner's range update + the finiteness checks
        return new StepDone(o, rows, (c2 - c0) + (c4 - c3), (c3 - c2) + (c5 - c4));
    }

    /** Sharded update: every rank holds valid optimizer state only in its own range; gather it (copies, no sums). */
    private static void gatherState(Work x) throws IOException {
        int w = x.grad().length;
        double[] tmp = new double[x.vec().length];
        double[][] states = x.opt().stateArrays();
        for (int a = 0; a < states.length; a++) {
            System.arraycopy(states[a], 0, tmp, 0, w);
            x.mesh().allGather(tmp, tmp.length, Long.MIN_VALUE + a, 0.0); // tags apart from every step's
            System.arraycopy(tmp, 0, states[a], 0, w);
        }
    }

    /**
     * An owner's sum of squares that is not finite: NaN if some gradient entry of its range is NaN or infinite
     * (the step must stop, as on the other engines), else the overflowed +Inf (a finite gradient beyond 1e154).
     */
    private static double nonFiniteMarker(double[] grad, int lo, int hi, double ss) {
        for (int i = lo; i < hi; i++) {
            if (!Double.isFinite(grad[i])) return Double.NaN;
        }
        return ss;
    }

    private SegmentResult runAveraging(StepTask.State st, RowBlock block, Mesh mesh) throws IOException {
        Optimizer opt = startState(st);
        ParameterLayout layout = st.network.layout();
        double[] params = st.params;
        int w = params.length;
        int k = setup.localSteps();
        int rank = mesh.rank();
        int steps = to - from;
        double[] local = new double[w + 1];
        double[] grad = new double[w];
        Stats stats = new Stats(steps);
        // window vector: [n_i w_i | n_i state_i ... | n_i | per window step j: loss*rows, rows, failed, norm*rows]
        int stateArrays = opt.stateArrays().length;
        int head = w * (1 + stateArrays);
        double[] vec = new double[head + 1 + 4 * k];
        long[] wall = new long[k];
        long[] comp = new long[k];
        double[] lr = new double[k];
        int windowStart = 0;
        long windowRows = 0;
        int done = 0;
        boolean failed = false;
        for (int i = 0; i < steps && !failed; i++) {
            int step = from + i;
            long t = (long) epoch * setup.plan().stepsPerEpoch() + step;
            int j = i - windowStart;
            if (j == 0) Arrays.fill(vec, head, vec.length, 0.0);
            long c0 = System.nanoTime();
            int m = sliceGradient(st, block, step, local);
            long c1 = System.nanoTime();
            lr[j] = opt.learningRate(t);
            if (m == 0) {
                opt.stepRange(params, grad, t, 0, 0); // no rows this step: count the step, change nothing
            } else {
                MiniBatchUpdate.Outcome o = setup.update().apply(params, local, local[w], m, t, opt, layout, grad);
                vec[head + 1 + 4 * j] = o.loss() * m;
                vec[head + 1 + 4 * j + 1] = m;
                vec[head + 1 + 4 * j + 2] = o.status() == MiniBatchUpdate.Status.OK ? 0 : 1 + o.status().ordinal();
                vec[head + 1 + 4 * j + 3] = o.gradNorm() * m;
                windowRows += m;
            }
            long c2 = System.nanoTime();
            comp[j] = c1 - c0;
            wall[j] = c2 - c0;
            boolean sync = (step + 1) % k == 0 || i == steps - 1;
            if (!sync) continue;
            // average: pack n_i * w_i and n_i * state_i, allreduce, divide by sum n_i
            long s0 = System.nanoTime();
            for (int x = 0; x < w; x++) vec[x] = params[x] * windowRows;
            double[][] states = opt.stateArrays();
            for (int a = 0; a < stateArrays; a++) {
                double[] sa = states[a];
                int off = w * (1 + a);
                for (int x = 0; x < w; x++) vec[off + x] = sa[x] * windowRows;
            }
            vec[head] = windowRows;
            mesh.allReduce(vec, vec.length, t);
            double total = vec[head];
            if (total > 0) {
                double inv = 1.0 / total;
                for (int x = 0; x < w; x++) params[x] = vec[x] * inv;
                for (int a = 0; a < stateArrays; a++) {
                    double[] sa = states[a];
                    int off = w * (1 + a);
                    for (int x = 0; x < w; x++) sa[x] = vec[off + x] * inv;
                }
            }
            long s1 = System.nanoTime();
            for (int q = 0; q <= j; q++) {
                double rows = vec[head + 1 + 4 * q + 1];
                int flag = (int) Math.min(2, vec[head + 1 + 4 * q + 2]);
                double loss = rows > 0 ? vec[head + 1 + 4 * q] / rows : Double.NaN;
                double norm = rows > 0 ? vec[head + 1 + 4 * q + 3] / rows : Double.NaN;
                MiniBatchUpdate.Status status = flag == 0 ? MiniBatchUpdate.Status.OK
                        : MiniBatchUpdate.Status.NON_FINITE_LOSS;
                MiniBatchUpdate.Outcome o = new MiniBatchUpdate.Outcome(loss, norm, lr[q], status);
                // the averaging's wall time is charged to the window's last step
                long exch = q == j ? s1 - s0 : 0;
                stats.record(windowStart + q, rows > 0 ? vec[head + 1 + 4 * q] : 0, (long) rows, o,
                        comp[q] + exch, comp[q], comp[q], wall[q] - comp[q]);
                emit(mesh, windowStart + q, stats);
                done = windowStart + q + 1;
                if (status != MiniBatchUpdate.Status.OK) {
                    failed = true;
                    break;
                }
            }
            windowStart = i + 1;
            windowRows = 0;
        }
        return result(rank, done, params, opt, stats);
    }

    /** Rank 0: streams step {@code k}'s figures to the driver (progress during the segment). Best effort. */
    private void emit(Mesh mesh, int k, Stats st) {
        java.io.DataOutputStream out = mesh.progress();
        if (out == null) return;
        try {
            new Rendezvous.StepRecord(segment, k, st.lossSum[k], st.loss[k], st.norm[k], st.lr[k], st.rows[k],
                    st.status[k], st.wall[k], st.cmax[k], st.csum[k], st.update[k]).write(out);
        } catch (IOException e) {
            // progress only: the final figures come back with the task's result
        }
    }

    private static SegmentResult result(int rank, int done, double[] params, Optimizer opt, Stats stats) {
        SegmentResult r = new SegmentResult(rank, done, SegmentResult.hash(params));
        if (rank == 0) {
            r.params = DoubleBytes.encode(params);
            r.optimizerState = opt.saveState();
            stats.copyTo(r, done);
        }
        return r;
    }

    /** Per-step figures of a segment (kept on every rank, returned by rank 0). */
    private static final class Stats {
        final double[] lossSum;
        final double[] loss;
        final double[] norm;
        final double[] lr;
        final long[] rows;
        final byte[] status;
        final long[] wall;
        final long[] cmax;
        final long[] csum;
        final long[] update;

        Stats(int n) {
            lossSum = new double[n];
            loss = new double[n];
            norm = new double[n];
            lr = new double[n];
            rows = new long[n];
            status = new byte[n];
            wall = new long[n];
            cmax = new long[n];
            csum = new long[n];
            update = new long[n];
        }

        void record(int k, double lossSumValue, long rowCount, MiniBatchUpdate.Outcome o, long wallNanos,
                    long computeMax, long computeSum, long updateNanos) {
            lossSum[k] = lossSumValue;
            loss[k] = o.loss();
            norm[k] = o.gradNorm();
            lr[k] = o.learningRate();
            rows[k] = rowCount;
            status[k] = (byte) o.status().ordinal();
            wall[k] = wallNanos;
            cmax[k] = computeMax;
            csum[k] = computeSum;
            update[k] = updateNanos;
        }

        void copyTo(SegmentResult r, int n) {
            r.lossSum = Arrays.copyOf(lossSum, n);
            r.loss = Arrays.copyOf(loss, n);
            r.gradNorm = Arrays.copyOf(norm, n);
            r.learningRate = Arrays.copyOf(lr, n);
            r.rows = Arrays.copyOf(rows, n);
            r.status = Arrays.copyOf(status, n);
            r.wallNanos = Arrays.copyOf(wall, n);
            r.computeMaxNanos = Arrays.copyOf(cmax, n);
            r.computeSumNanos = Arrays.copyOf(csum, n);
            r.updateNanos = Arrays.copyOf(update, n);
        }
    }
}
