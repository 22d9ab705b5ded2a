package org.descent.job.exchange;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.Matrix;
import org.descent.math.nn.Network;
import org.descent.math.nn.Targets;

/**
 * Executor side of one step on one partition: take this step's slice of the partition's permuted
 * rows (see {@link BatchPlan}), gather them into the partition's batch buffer (a column-by-column
 * copy, no per-row maths), and make ONE {@link Network#lossAndGradientSum} call on it (GEMMs).
 * Buffers live in {@link ExecutorCache} for the whole run; the gradient accumulator is created there
 * lazily, never shipped in the closure.
 */
final class StepTask implements Function2<Integer, Iterator<RowBlock>, Iterator<PartialGradient>> {
    private static final long serialVersionUID = 1L;

    private final String runId;
    private final ModelArchitecture architecture;
    private final BatchPlan plan;
    private final Broadcast<double[]> params;
    private final int epoch;
    private final int step;
    private final boolean recordIds;

    StepTask(String runId, ModelArchitecture architecture, BatchPlan plan, Broadcast<double[]> params,
             int epoch, int step, boolean recordIds) {
        this.runId = runId;
        this.architecture = architecture;
        this.plan = plan;
        this.params = params;
        this.epoch = epoch;
        this.step = step;
        this.recordIds = recordIds;
    }

    /** A partition's reusable buffers (one per partition per run). */
    static final class State {
        final Network network;
        final Network.Workspace workspace;
        final double[] x;
        final double[] y;
        final double[] grad;
        final int[] perm;
        int permEpoch = -1;

        State(ModelArchitecture arch, int maxRows, int rows, int cols) {
            network = arch.toNetwork();
            workspace = network.newWorkspace(Math.max(1, maxRows));
            x = new double[Math.max(1, maxRows) * cols];
            y = new double[Math.max(1, maxRows)];
            grad = new double[network.numParams()];
            perm = new int[rows];
        }
    }

    @Override
    public Iterator<PartialGradient> call(Integer partition, Iterator<RowBlock> blocks) {
        if (!blocks.hasNext()) {
            return Collections.emptyIterator();
        }
        RowBlock block = blocks.next();
        if (blocks.hasNext()) {
            throw new IllegalStateException("partition " + partition + " holds more than one row block");
        }
        int n = block.rows;
        State st = ExecutorCache.get(runId, "step", partition,
                () -> new State(architecture, plan.maxRowsPerStep(n), n, block.cols));
        synchronized (st) {
            if (st.permEpoch != epoch) {
                plan.permutation(epoch, partition, st.perm);
                st.permEpoch = epoch;
            }
            int start = plan.sliceStart(step, n);
            int m = plan.sliceEnd(step, n) - start;
            Arrays.fill(st.grad, 0.0);
            long[] ids = recordIds ? new long[m] : null;
            double loss = 0;
            long fetchNanos = 0;
            long computeNanos = 0;
            if (m > 0) {
                long t0 = System.nanoTime();
                double[] w = params.value();
                long t1 = System.nanoTime();
                gather(block, st.perm, start, m, st.x, st.y);
                loss = st.network.lossAndGradientSum(w, Matrix.wrap(m, block.cols, st.x),
                        Targets.ofValues(m, st.y), st.grad, st.workspace);
                computeNanos = System.nanoTime() - t1;
                fetchNanos = t1 - t0;
                if (ids != null) {
                    for (int i = 0; i < m; i++) ids[i] = block.ids[st.perm[start + i]];
                }
            }
            // Serialised into the task result before this task ends, so reusing st.grad next step is safe.
            return Collections.singletonList(new PartialGradient(partition, st.grad, loss, m, ids, computeNanos,
                    fetchNanos)).iterator();
        }
    }

    /** Copies rows {@code perm[start..start+m)} of the block into {@code x} (m x cols, column-major) and {@code y}. */
    static void gather(RowBlock block, int[] perm, int start, int m, double[] x, double[] y) {
        int rows = block.rows;
        double[] f = block.features;
        for (int j = 0; j < block.cols; j++) {
            int src = j * rows;
            int dst = j * m;
            for (int i = 0; i < m; i++) {
                x[dst + i] = f[src + perm[start + i]];
            }
        }
        for (int i = 0; i < m; i++) {
            y[i] = block.labels[perm[start + i]];
        }
    }
}
