package org.descent.job.exchange;

import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.descent.job.data.RowBlock;
import org.descent.job.fault.Faults;
import org.descent.math.optim.Optimizer;

/**
 * One rank's working state for one allreduce segment: the start state decoded from the broadcast into the
 * partition's buffers, the mesh, and the figures of the steps done so far. Shared by {@link SynchronousSteps} and
 * {@link LocalSgdSteps}: {@link #beforeStep}, {@link #sliceGradient}, {@link #record} per step, {@link #result} at
 * the end.
 */
final class SegmentRun {
    private static final org.apache.logging.log4j.Logger LOG =
            org.apache.logging.log4j.LogManager.getLogger(SegmentRun.class);
    final SegmentTask.Setup setup;
    /** The first partition's buffers; its {@code params} are the rank's copy of the parameters. */
    final StepTask.State st;
    /** The first partition's block (null: empty). */
    final RowBlock block;
    /** The rank's partitions' buffers and blocks, in partition order ({@code states[0] == st}). */
    final StepTask.State[] states;
    final RowBlock[] blocks;
    /** Index of the rank's first partition. */
    final int firstPartition;
    final Mesh mesh;
    final Optimizer opt;
    /**
     * The rank's parameters: {@code st.params}, or the array every rank of this JVM shares ({@link SharedState}:
     * synchronous sparse steps over an in-memory hub from an in-JVM start state, with the row update).
     */
    final double[] params;
    /** The ranks' shared parameters and optimizer state, or null (each rank its own copy). */
    final SharedState shared;
    /** Whether every start parameter of a shared segment is finite (the first step's status includes it). */
    final boolean startFinite;
    /** Synchronous steps on sparse blocks on every rank ({@link SparseSteps#agreeSparse}, once per segment). */
    final boolean sparse;
    final int epoch;
    final int from;
    final int to;
    private final int segment;
    private final List<StepFigures> figures = new ArrayList<>();
    private boolean progressLost;
    /** When rank 0 last sent its buffered step records ({@link #record}). */
    private long lastFlush;

    /**
     * @param start the driver's parameters and optimizer state, copied into this rank's buffers and optimizer (or
     *              into the ranks' {@link SharedState}, a share each); a collective (every rank constructs one)
     */
    SegmentRun(SegmentTask.Setup setup, SegmentStart start, StepTask.State[] states, RowBlock[] blocks, int firstPartition,
               Mesh mesh, int segment, int epoch, int from, int to) throws java.io.IOException {
        this.setup = setup;
        this.states = states;
        this.blocks = blocks;
        this.firstPartition = firstPartition;
        this.st = states[0];
        this.block = blocks[0];
        this.mesh = mesh;
        this.segment = segment;
        this.epoch = epoch;
        this.from = from;
        this.to = to;
        this.opt = setup.optimizer().build(setup.schedule());
        this.sparse = !setup.averaging() && SparseSteps.agreeSparse(setup, blocks, mesh, st.network.layout());
        if (sparse && mesh.inJvm() && start.inJvm()
                && org.descent.math.optim.RowSparseUpdate.applies(setup.update(), opt)) {
            this.shared = SharedState.start(mesh, start, opt, st.network.layout(), setup.partitions());
            this.params = shared.params;
            this.startFinite = shared.startFinite;
        } else {
            this.shared = null;
            start.dropCopy(); // a task may have guessed that the ranks share (SegmentTask.mayShare)
            this.params = st.params();
            start.paramsInto(params);
            start.optimizerInto(opt, st.network.layout()); // init at the start state: no zero arrays first
            this.startFinite = true;
        }
    }

    /**
     * The next epoch of the same segment ({@link SegmentTask}): the same buffers, mesh, parameters and optimizer,
     * continued without an encode and decode of the state (the same bits: {@code saveState}/{@code restoreState}
     * round-trip exactly).
     */
    SegmentRun(SegmentRun previous, int epoch, int from, int to) {
        this.setup = previous.setup;
        this.states = previous.states;
        this.blocks = previous.blocks;
        this.firstPartition = previous.firstPartition;
        this.st = previous.st;
        this.block = previous.block;
        this.mesh = previous.mesh;
        this.segment = previous.segment;
        this.epoch = epoch;
        this.from = from;
        this.to = to;
        this.opt = previous.opt;
        this.params = previous.params;
        this.shared = previous.shared;
        this.startFinite = true; // checked at the segment's first step
        this.sparse = previous.sparse;
    }

    int rank() {
        return mesh.rank();
    }

    int steps() {
        return to - from;
    }

    /** Global step index {@code t = epoch * S + step} (the optimizer's and the exchange tags'). */
    long globalStep(int step) {
        return (long) epoch * setup.plan().stepsPerEpoch() + step;
    }

    /** The fault seam's point before each step (a no-op outside tests). */
    void beforeStep(int step) {
        Faults.hooks().beforeSegmentStep(rank(), globalStep(step));
    }

    /** Gradient sum of the first partition's slice of {@code step} into {@code out[0, W)}; returns rows, loss in out[W]. */
    int sliceGradient(int step, double[] out) {
        return sliceGradient(0, step, out);
    }

    /**
     * As {@link #sliceGradient(int, double[])} for the rank's {@code j}-th partition, at the parameters in
     * {@code st.params} (copied into that partition's buffers first).
     */
    int sliceGradient(int j, int step, double[] out) {
        int w = params.length;
        int m = 0;
        double loss = 0;
        RowBlock b = blocks[j];
        StepTask.State s = states[j];
        if (b != null) {
            int start = setup.plan().sliceStart(step, b.rows);
            m = setup.plan().sliceEnd(step, b.rows) - start;
            if (m > 0) {
                if (j > 0) System.arraycopy(params, 0, s.params(), 0, w);
                loss = s.gradientInto(b, start, m, out); // straight into the step vector
            }
        }
        if (m == 0) Arrays.fill(out, 0, w, 0.0);
        out[w] = loss;
        return m;
    }

    /**
     * As {@link #sliceGradient(int, int, double[])} for a dense float32 step at {@code weights} (the rank's
     * parameters rounded to float, shared by its partitions): the float gradient goes over {@code head[0, W)} (the
     * exchange widens it, see {@link Mesh#reduceScatterSplit}), the loss into {@code out[W]}; {@code out[0, W)} is
     * not touched.
     */
    int sliceGradient(int j, int step, float[] weights, float[] head, double[] out) {
        int w = params.length;
        int m = 0;
        double loss = 0;
        RowBlock b = blocks[j];
        if (b != null) {
            int start = setup.plan().sliceStart(step, b.rows);
            m = setup.plan().sliceEnd(step, b.rows) - start;
            if (m > 0) loss = states[j].gradientInto(b, start, m, weights, head);
        }
        if (m == 0) Arrays.fill(head, 0, w, 0.0f);
        out[w] = loss;
        return m;
    }

    /**
     * Keeps the next step's figures and (rank 0) streams them to the driver for progress, in batches: a batch is sent
     * once {@link #PROGRESS_FLUSH_NANOS} have passed since the last, so the driver's threads wake about 20 times a
     * second instead of at every step (they share the cores with the ranks). The first step of each epoch is sent at
     * once (the driver logs its arrival as the end of start-up), and so is a failed step; the records, their order and
     * so what the driver reports do not change, only when they arrive.
     */
    void record(StepFigures f) {
        int k = figures.size();
        figures.add(f);
        DataOutputStream out = mesh.progress();
        if (out == null) return;
        try {
            Rendezvous.StepRecord.write(out, k, f);
            long now = System.nanoTime();
            if (k == 0 || !f.ok() || now - lastFlush >= PROGRESS_FLUSH_NANOS) {
                out.flush();
                lastFlush = now;
            }
        } catch (IOException e) { // progress only: the final figures come back with the task's result
            progressLost(e);
        }
    }

    /** Longest a step's record waits in rank 0's buffer while later steps run (50 ms). */
    static final long PROGRESS_FLUSH_NANOS = 50_000_000L;

    private void progressLost(IOException e) {
        if (!progressLost) LOG.warn("allreduce segment {}: progress stream to the driver lost ({}); the step "
                + "figures arrive with the segment's result", segment, e.toString());
        progressLost = true;
    }

    /** Steps recorded so far. */
    int done() {
        return figures.size();
    }

    /** This rank's result: steps and parameter hash; rank 0 adds the state and the figures. */
    SegmentResult result() {
        if (mesh.progress() != null) { // the batch still buffered, so that the stream holds every step as before
            try {
                mesh.progress().flush();
            } catch (IOException e) {
                progressLost(e);
            }
        }
        SegmentResult r = new SegmentResult(rank(), figures.size(), SegmentResult.hash(params));
        if (rank() == 0) {
            r.params = DoubleBytes.encode(params);
            r.optimizerState = opt.saveState();
            r.figures = StepFigures.encode(figures);
        }
        return r;
    }
}
