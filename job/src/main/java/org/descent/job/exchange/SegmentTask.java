package org.descent.job.exchange;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Precision;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;
import org.descent.math.optim.OptimizerSpec;
import org.descent.math.optim.ScheduleSpec;
import scala.collection.Iterator;
import scala.collection.Iterator$;
import scala.runtime.AbstractFunction1;

/**
 * One task of an allreduce segment (a Spark barrier stage, all tasks running at once): from step {@code from} of
 * epoch {@code epoch} to step {@code to} (exclusive) of epoch {@code lastEpoch} without returning to the driver in
 * between (one epoch, or part of it, when {@code lastEpoch == epoch}). Task r (rank r) owns the contiguous partition group
 * {@code [groupStart[r], groupStart[r+1])}: one partition when there are enough task slots, several otherwise (the
 * stage runs over a {@link PartitionGroupRDD} either way). Each of its partitions keeps
 * its own row order and buffers, so the partial gradients are exactly those of the broadcast-collect engine's tasks.
 *
 * <p>Call order inside: take the group's blocks and their cached buffers ({@link StepTask.State}); register with
 * the driver's {@link Rendezvous} and connect the {@link Mesh}; copy in the start state ({@link SegmentStart})
 * into the buffers ({@link SegmentRun}); then per epoch: permute the partition's rows for the epoch ({@link BatchPlan}), run its
 * steps, synchronously ({@link SynchronousSteps}, {@code localSteps == 1}) or as local SGD ({@link LocalSgdSteps}),
 * and, if another epoch follows, continue into it with the same parameters and optimizer (the bits a broadcast of
 * the encoded state would give) while rank 0 streams that state to the driver ({@link EpochEndRecord}); rank 0 returns the final state and the last epoch's per-step figures. A
 * cancelled job (the driver stopped early) stops before the next epoch.
 *
 * <p>Failures: the mesh is closed on any failure (try-with-resources), so the peers' reads fail too and the whole
 * barrier stage fails; the driver then runs the segment again from the same broadcast start state
 * ({@link AllReduceEngine}). A data error found while Spark (re)computes the block is reported to the rendezvous by
 * type ({@link Rendezvous#reportDataError}) before the task fails, because Spark fails a barrier stage without the
 * task's exception as cause, and the driver must not retry bad data.
 */
final class SegmentTask extends AbstractFunction1<Iterator<Object>, Iterator<SegmentResult>>
        implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Everything a segment's tasks share (serialised once with the task). */
    record Setup(String runId, ModelArchitecture architecture, BatchPlan plan, Precision precision, int partitions,
                 OptimizerSpec optimizer, ScheduleSpec schedule, MiniBatchUpdate update, int localSteps,
                 Rendezvous.Address rendezvous, long token, int timeoutMillis, boolean inJvm, long[] partitionRows,
                 int[] groupStart)
            implements Serializable {

        /** The same setup with other partition groups (fewer ranks after a lost executor). */
        Setup withGroups(int[] groups) {
            return new Setup(runId, architecture, plan, precision, partitions, optimizer, schedule, update, localSteps,
                    rendezvous, token, timeoutMillis, inJvm, partitionRows, groups.clone());
        }

        /** Barrier tasks R: rank r owns partitions {@code [groupStart[r], groupStart[r+1])}. */
        int ranks() {
            return groupStart.length - 1;
        }

        /** True if some task owns more than one partition (partitions > ranks). */
        boolean grouped() {
            return ranks() < partitions;
        }

        /** Partitions of each rank, in rank order. */
        int[] groupSizes() {
            int[] c = new int[ranks()];
            for (int r = 0; r < c.length; r++) c[r] = groupStart[r + 1] - groupStart[r];
            return c;
        }

        /** Local SGD: every task steps its own copy and the copies are averaged every {@code localSteps} steps. */
        boolean averaging() {
            return localSteps > 1;
        }
    }

    private final Setup setup;
    private final SegmentStart start;
    private final int segment;
    private final int epoch;
    private final int from;
    private final int lastEpoch;
    private final int to;

    SegmentTask(Setup setup, SegmentStart start, int segment, int epoch, int from, int lastEpoch, int to) {
        this.setup = setup;
        this.start = start;
        this.segment = segment;
        this.epoch = epoch;
        this.from = from;
        this.lastEpoch = lastEpoch;
        this.to = to;
    }

    @Override
    public Iterator<SegmentResult> apply(Iterator<Object> input) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int first = setup.groupStart()[rank];
        RowBlock[] blocks = readGroup(input, rank, first);
        if (mayShare(blocks)) start.prepareCopy(); // overlaps the other tasks' launch and the rendezvous
        StepTask.State[] states = new StepTask.State[blocks.length];
        for (int j = 0; j < blocks.length; j++) {
            RowBlock block = blocks[j];
            int n = block == null ? 0 : block.rows;
            int cols = StepTask.denseCols(block);
            states[j] = ExecutorCache.get(setup.runId(), "allreduce", first + j,
                    () -> new StepTask.State(setup.architecture(), setup.plan().maxRowsPerStep(n), n, cols,
                            setup.precision()));
        }
        return locked(states, 0, () -> runLocked(ctx, rank, first, blocks, states));
    }

    /** Runs {@code body} holding the monitors of {@code states[j..]} (ascending partition order: no deadlock). */
    private static <T> T locked(StepTask.State[] states, int j, java.util.function.Supplier<T> body) {
        if (j == states.length) return body.get();
        synchronized (states[j]) {
            return locked(states, j + 1, body);
        }
    }

    private Iterator<SegmentResult> runLocked(BarrierTaskContext ctx, int rank, int first, RowBlock[] blocks,
                                              StepTask.State[] states) {
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        try (Mesh mesh = Mesh.connect(setup.rendezvous(), setup.token(), setup.runId(), segment,
                ctx.stageAttemptNumber(), rank, setup.ranks(), host, setup.timeoutMillis(), setup.inJvm(),
                setup.groupSizes(), LocalHub.JVM_ID)) {
            SegmentRun run = null;
            for (int e = epoch; ; e++) {
                if (e > epoch && ctx.isInterrupted()) throw new IllegalStateException("allreduce segment cancelled");
                for (int j = 0; j < blocks.length; j++) {
                    if (blocks[j] != null) states[j].permute(setup.plan(), e, first + j);
                }
                int end = e == lastEpoch ? to : setup.plan().stepsPerEpoch();
                run = run == null ? new SegmentRun(setup, start, states, blocks, first, mesh, segment, e, from, end)
                        : new SegmentRun(run, e, 0, end);
                if (setup.averaging()) LocalSgdSteps.run(run);
                else SynchronousSteps.run(run);
                mesh.traffic().steps(run.done());
                if (run.done() == run.steps() && end == setup.plan().stepsPerEpoch()) { // a complete epoch
                    EpochEndWork.atEpochEnd(setup.runId(), e, rank, setup.ranks(), run.params, ctx::isInterrupted);
                }
                if (e == lastEpoch || run.done() < run.steps()) {
                    SegmentResult r = run.result();
                    r.epoch = e;
                    r.inJvm = mesh.inJvm();
                    r.nodes = mesh.nodes();
                    r.traffic = mesh.traffic();
                    mesh.markDone();
                    return Iterator$.MODULE$.single(r);
                }
                handOver(mesh, run, e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The end state of epoch {@code e} (another epoch follows) to the driver: rank 0 sends it
     * ({@link EpochEndRecord#send}: a copy of the parameters and a detached copy of the optimizer). Ranks sharing one
     * state ({@link SharedState}) split the copying: the last rank copies the optimizer state while rank 0 copies the
     * parameters (inside {@code send}, which asks for the optimizer copy after it), and every rank waits once, rank 0
     * before it takes the last rank's copy (issue 12: rank 0 made both 16 MB copies of the text benchmark's state
     * while the others waited for it in the next epoch's first step). The copies are the same bits either way: every
     * rank's optimizer has the shared arrays and the same step count, and no rank writes them before rank 0 reaches
     * the next step's wait.
     */
    private void handOver(Mesh mesh, SegmentRun run, int e) throws IOException {
        org.descent.math.nn.ParameterLayout layout = run.st.network.layout();
        java.util.function.UnaryOperator<Optimizer> copier = o -> {
            Optimizer copy = setup.optimizer().build(setup.schedule());
            copy.init(layout, o); // a copy of the arrays and the step count
            return copy;
        };
        SharedState shared = run.shared;
        int rank = mesh.rank();
        if (shared != null && rank != 0) {
            if (rank == mesh.size() - 1) shared.handOver = copier.apply(run.opt);
            mesh.barrier(); // rank 0 meets it in its copier, or after send
            return;
        }
        if (rank != 0) return;
        if (mesh.progress() == null) throw new IllegalStateException("rank 0 has no progress stream");
        boolean[] met = {false};
        EpochEndRecord.send(mesh.progress(), setup.token(), segment, e, run.params, run.opt, shared == null ? copier
                : o -> {
                    try {
                        mesh.barrier(); // the last rank's copy is made
                    } catch (IOException x) {
                        throw new UncheckedIOException(x);
                    }
                    met[0] = true;
                    Optimizer copy = shared.handOver;
                    shared.handOver = null;
                    return copy;
                });
        if (shared != null && !met[0]) { // the state went as bytes: still meet the others once, drop the unused copy
            mesh.barrier();
            shared.handOver = null;
        }
    }

    /**
     * Whether the segment's ranks will likely share one state ({@link SharedState}: what {@link SegmentRun} decides
     * once every rank has agreed that the blocks are sparse): in-JVM start state and transport, synchronous steps,
     * a flat model, the row-sparse update, two or more ranks (one rank has no hub: {@link Mesh}), and this rank's
     * blocks sparse. A wrong guess costs one copy of the state, dropped when the run decides ({@link SegmentRun}).
     */
    private boolean mayShare(RowBlock[] blocks) {
        if (setup.ranks() < 2 || !setup.inJvm() || setup.averaging() || setup.architecture().hasStack() || !start.inJvm()) return false;
        boolean sparse = false;
        for (RowBlock b : blocks) sparse |= b != null && b.isSparse();
        return sparse && org.descent.math.optim.RowSparseUpdate.applies(setup.update(), start.liveOptimizer());
    }

    /**
     * The rank's blocks in partition order (null: an empty partition): the one cached block of partition
     * {@code rank}, or a {@link PartitionGroupRDD} group. A data error is reported to the driver by type.
     */
    private RowBlock[] readGroup(Iterator<Object> input, int rank, int first) {
        try {
            Object o = input.hasNext() ? input.next() : null;
            if (input.hasNext()) throw new IllegalStateException("partition " + rank + " holds more than one row block");
            if (o instanceof RowBlock[] group) return group;
            return new RowBlock[] {(RowBlock) o};
        } catch (org.descent.job.data.DataException e) {
            Rendezvous.reportDataError(setup.rendezvous(), setup.token(), segment, e.getMessage());
            throw e;
        }
    }
}
