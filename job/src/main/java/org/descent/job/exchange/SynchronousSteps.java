package org.descent.job.exchange;

import java.io.IOException;
import java.util.Arrays;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.nn.Precision;
import org.descent.math.optim.MiniBatchUpdate;

/**
 * Synchronous SGD inside an allreduce segment ({@code training.local-steps = 1}). Per step: this partition's slice
 * gradient (the same {@link StepTask.State#gradientAt} call as the broadcast-collect engine), then one of two
 * exchanges of the step vector {@code [gradient sum (W) | loss sum | rows | compute nanos per rank (P)]}:
 * <ul>
 *   <li>replicated ({@link #replicatedStep}): {@link Mesh#allReduce}, then every task applies the same
 *       {@link MiniBatchUpdate} to its own copy of the parameters and optimizer;</li>
 *   <li>sharded ({@link ShardedStep}, when nothing in the update needs the whole gradient): reduce-scatter, each
 *       rank updates the chunk it owns, all-gather the parameters. A dense float32 run writes each partition's
 *       float gradient straight from the GEMMs into a float partial that the reduce-scatter widens
 *       ({@link #floatPartials}): no conversion into the double vector, the same sums.</li>
 * </ul>
 * The summed vector is bit-identical on all ranks and equal to the driver's partition-order sum, so every copy stays
 * bit-identical to the driver engine's. A non-OK step is recorded and ends the segment. Sparse blocks take
 * {@link SparseSteps} instead (touched rows only; the ranks agree on it at the segment's start).
 */
final class SynchronousSteps {
    private SynchronousSteps() {}

    /** A step's update outcome, its rows, and where its time went (compute included in the wall). */
    record StepDone(MiniBatchUpdate.Outcome outcome, long rows, long wallNanos, long updateNanos) {}

    static void run(SegmentRun run) throws IOException {
        if (run.sparse) {
            runSparse(run);
            return;
        }
        int w = run.params.length;
        int p = run.setup.partitions();
        double[][] vecs = new double[run.blocks.length][w + 2 + p];
        double[] vec = vecs[0];
        double[] grad = new double[w];
        ParameterLayout layout = run.st.network.layout();
        ShardedStep sharded = ShardedStep.applies(run.setup.update())
                ? new ShardedStep(run, vecs, floatPartials(run) ? new float[vecs.length][w] : null, grad) : null;
        for (int k = 0; k < run.steps(); k++) {
            int step = run.from + k;
            long t = run.globalStep(step);
            run.beforeStep(step);
            long c0 = System.nanoTime();
            packStep(run, step, vecs, sharded);
            StepDone d = sharded != null ? sharded.step(step, t, c0) : replicatedStep(run, vecs, grad, layout, t, c0);
            long cmax = computeMax(vec, w, p);
            // rank 0's clock starts when rank 0 starts the step; another rank can start earlier (task launch skew
            // at a segment's first step, or rank 0's thread descheduled on a busy machine), and the step then
            // lasted at least as long as that rank's compute
            StepFigures f = StepFigures.summed(d.rows(), vec[w], Math.max(d.wallNanos(), cmax), cmax,
                    computeSum(vec, w, p), 0, 0, p).updated(d.outcome(), d.updateNanos());
            run.record(f);
            if (!f.ok()) break;
        }
        if (sharded != null) sharded.gatherState();
    }

    /** Sparse blocks: only the rows the step's batches touch are exchanged and updated ({@link SparseSteps}). */
    private static void runSparse(SegmentRun run) throws IOException {
        SparseSteps sparse = new SparseSteps(run);
        for (int k = 0; k < run.steps(); k++) {
            int step = run.from + k;
            run.beforeStep(step);
            StepFigures f = sparse.step(step, run.globalStep(step), System.nanoTime());
            run.record(f);
            if (!f.ok()) break;
        }
    }

    /**
     * Fills this rank's contribution to a step's vector, one vector per partition it owns: the partition's slice
     * gradient, loss and rows; the rank's compute time goes in its first partition's slot of the first vector (so
     * the summed slots give the slowest rank and the total).
     */
    private static void packStep(SegmentRun run, int step, double[][] vecs, ShardedStep sharded) {
        int w = run.params.length;
        float[][] heads = sharded == null ? null : sharded.heads();
        long c0 = System.nanoTime();
        for (int j = 0; j < vecs.length; j++) {
            Arrays.fill(vecs[j], w + 1, vecs[j].length, 0.0);
            vecs[j][w + 1] = heads != null ? run.sliceGradient(j, step, sharded.weights32(), heads[j], vecs[j])
                    : run.sliceGradient(j, step, vecs[j]);
        }
        vecs[0][w + 2 + run.firstPartition] = System.nanoTime() - c0;
    }

    /** Tag of {@link #floatPartials}' agreement (apart from the steps' tags and the other agreements'). */
    private static final long DENSE_TAG = Long.MIN_VALUE / 2 + 1;

    /**
     * Whether the sharded steps move float32 partials ({@link ShardedStep}): a float32 run of a dense network whose
     * blocks are all dense on every rank (agreed by one small allreduce, as every rank must take the same exchange).
     * The bits are those of the double partials either way; in one JVM half the bytes are read.
     */
    private static boolean floatPartials(SegmentRun run) throws IOException {
        if (run.setup.precision() != Precision.FLOAT32 || run.setup.architecture().hasStack()) return false;
        double[][] sparse = new double[run.blocks.length][1];
        for (int j = 0; j < sparse.length; j++) {
            if (run.blocks[j] != null && run.blocks[j].isSparse()) sparse[j][0] = 1;
        }
        run.mesh.allReduce(sparse, 1, DENSE_TAG);
        return sparse[0][0] == 0;
    }

    /** Allreduce of the step vector, then every rank applies the whole {@link MiniBatchUpdate}. */
    private static StepDone replicatedStep(SegmentRun run, double[][] vecs, double[] grad, ParameterLayout layout,
                                           long t, long c0) throws IOException {
        int w = grad.length;
        double[] vec = vecs[0];
        run.mesh.allReduce(vecs, vec.length, t);
        long c2 = System.nanoTime();
        MiniBatchUpdate.Outcome o = run.setup.update().apply(run.params, vec, vec[w], (long) vec[w + 1], t, run.opt,
                layout, grad);
        return new StepDone(o, (long) vec[w + 1], c2 - c0, System.nanoTime() - c2);
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
}
