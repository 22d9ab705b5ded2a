package org.descent.job.exchange;

import java.io.Serializable;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.nn.Targets;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * Executor side of one step on one partition: take this step's slice of the partition's permuted
 * rows (see {@link BatchPlan}), gather them into the partition's batch buffer (a column-by-column
 * copy, no per-row maths), and make ONE {@link Network#lossAndGradientSum} call on it (GEMMs).
 * Buffers live in {@link ExecutorCache} for the whole run; the gradient accumulator, the decoded
 * parameters and the encoded result are created there lazily, never shipped in the closure.
 *
 * <p>A named Scala function run directly by {@code SparkContext.runJob} (not a Java lambda through
 * {@code JavaRDD.mapPartitionsWithIndex}): Spark's ClosureCleaner returns at once for a class that is not a
 * lambda, where it would otherwise read and parse the capturing class's bytecode from its jar on every step.
 * The parameters arrive as {@link DoubleBytes} in a broadcast; the gradient leaves the same way.
 *
 * <p>The workspace runs in the run's {@link Precision} ({@code training.precision}): with
 * {@link Precision#FLOAT32} the forward/backward GEMMs are sgemm on a float copy of the parameters,
 * while the broadcast parameters, the gradient accumulator and the partial sent back stay double.
 */
final class StepTask extends AbstractFunction2<TaskContext, Iterator<RowBlock>, PartialGradient>
        implements Serializable {
    private static final long serialVersionUID = 4L;

    private final String runId;
    private final ModelArchitecture architecture;
    private final BatchPlan plan;
    private final Broadcast<byte[]> params;
    private final int epoch;
    private final int step;
    private final Precision precision;
    /** The broadcast holds the row-sparse encoding of the rows sparse steps read, not the whole vector. */
    private final boolean compactParams;

    StepTask(String runId, ModelArchitecture architecture, BatchPlan plan, Broadcast<byte[]> params,
             int epoch, int step, Precision precision) {
        this(runId, architecture, plan, params, epoch, step, precision, false);
    }

    StepTask(String runId, ModelArchitecture architecture, BatchPlan plan, Broadcast<byte[]> params,
             int epoch, int step, Precision precision, boolean compactParams) {
        this.compactParams = compactParams;
        this.runId = runId;
        this.architecture = architecture;
        this.plan = plan;
        this.params = params;
        this.epoch = epoch;
        this.step = step;
        this.precision = precision;
    }

    /** A partition's reusable buffers (one per partition per run). */
    static final class State {
        final Network network;
        final Network.Workspace workspace;
        final double[] x;
        /** The batch in float for a FLOAT32 workspace and a dense block (null otherwise): gathered straight into it. */
        final float[] x32;
        final double[] y;
        /**
         * The partition's parameters, allocated on first use ({@link #params()}): the ranks of a shared sparse
         * allreduce segment never read them ({@link SharedState}), and a fresh array of every parameter costs its
         * zeroing and page faults at the segment's start (issue 12: 16 MB per partition for the text benchmark).
         */
        private double[] params;
        /**
         * The partition's gradient sum, allocated on first use ({@link #grad()}): the sparse allreduce steps never
         * read it (their compact buffers hold the touched rows), and a fresh array of every parameter costs its page
         * faults inside the first epoch (issue 12: 16 MB per partition for the text benchmark's softmax).
         */
        private double[] grad;
        /** The dense partial's bytes, allocated on first use (a sparse step usually sends touched rows instead). */
        private byte[] gradBytes;
        final int[] perm;
        int permEpoch = -1;

        State(ModelArchitecture arch, int maxRows, int rows, int cols, Precision precision) {
            network = arch.toNetwork();
            workspace = network.newWorkspace(Math.max(1, maxRows), precision);
            boolean f32 = precision == Precision.FLOAT32 && cols > 0;
            x = new double[f32 ? 0 : Math.max(1, maxRows) * cols]; // cols = 0 for a sparse block: see denseCols
            x32 = f32 ? new float[Math.max(1, maxRows) * cols] : null;
            y = new double[Math.max(1, maxRows)];
            perm = new int[rows];
        }

        /** The step on a sparse block (see {@link SparseSlice}); null for a dense one. */
        private SparseSlice sparse;

        private SparseSlice sparse() {
            if (sparse == null) sparse = new SparseSlice(network, y.length);
            return sparse;
        }

        /** {@link #params}, zeros until written. */
        double[] params() {
            if (params == null) params = new double[network.numParams()];
            return params;
        }

        /** {@link #grad}, zeros until a step writes it. */
        double[] grad() {
            if (grad == null) grad = new double[network.numParams()];
            return grad;
        }

        byte[] gradBytes() {
            if (gradBytes == null) gradBytes = new byte[Math.multiplyExact(network.numParams(), 8)];
            return gradBytes;
        }

        double lastLoss;
        long lastFetchStart;
        long lastComputeStart;

        /**
         * This partition's part of step {@code step}: decodes the parameters, gathers the step's slice and makes ONE
         * {@code lossAndGradientSum} call into {@link #grad} (zeroed first). Leaves the loss sum in {@link #lastLoss}
         * and returns the slice's row count (0: nothing computed, {@link #grad} untouched).
         */
        int gradient(RowBlock block, BatchPlan plan, int step, Broadcast<byte[]> encodedParams) {
            lastFetchStart = System.nanoTime();
            int n = block.rows;
            int start = plan.sliceStart(step, n);
            int m = plan.sliceEnd(step, n) - start;
            if (m == 0) {
                lastLoss = 0;
                lastComputeStart = lastFetchStart;
                return 0;
            }
            if (block.isSparse()) { // gather first: only the parameters its features read are decoded
                sparse().gather(block, perm, start, m);
                sparse.readParams(encodedParams.value(), params()); // fetch + decode of the touched rows: param fetch
                lastComputeStart = System.nanoTime();
                lastLoss = sparse.gradient(network, params(), grad(), workspace);
                return m;
            }
            DoubleBytes.decode(encodedParams.value(), params()); // fetch (if remote) + decode: timed as param fetch
            lastComputeStart = System.nanoTime();
            lastLoss = gradientAt(block, start, m);
            return m;
        }

        /** As {@link #gradient} at parameters already in {@link #params}; rows {@code [start, start + m)} of the order. */
        double gradientAt(RowBlock block, int start, int m) {
            if (block.isSparse()) { // the slice keeps grad zero outside what this step writes: no O(params) fill
                sparse().gather(block, perm, start, m);
                return sparse.gradient(network, params(), grad(), workspace);
            }
            return denseGradient(block, start, m, grad());
        }

        /**
         * As {@link #gradientAt} with the gradient written over {@code out[0, W)} ({@code out} may be longer: an
         * allreduce step vector); a dense block's gradient goes there directly, without passing through
         * {@link #grad}. The same bits either way.
         */
        double gradientInto(RowBlock block, int start, int m, double[] out) {
            if (block.isSparse()) {
                double loss = gradientAt(block, start, m);
                System.arraycopy(grad(), 0, out, 0, network.numParams());
                return loss;
            }
            return denseGradient(block, start, m, out);
        }

        /**
         * A dense block under a float32 workspace, at {@code weights} (the parameters rounded to float, kept by the
         * caller; {@link #params} is not read): the slice's float gradient written over {@code head[0, W)}
         * ({@code 0.0 + head[i]} is {@link #gradientInto}'s entry i, bit for bit).
         */
        double gradientInto(RowBlock block, int start, int m, float[] weights, float[] head) {
            if (x32 == null || block.isSparse()) {
                throw new IllegalStateException("a float gradient needs a dense block and a float32 workspace");
            }
            Targets targets = gatherLabels(block, perm, start, m, y);
            block.gatherRows(perm, start, m, x32);
            return network.gradientSumAt(weights, FloatMatrix.wrap(m, block.cols, x32), targets, head, workspace);
        }

        /**
         * Gathers the slice (into the float batch for a float32 workspace: the bits of rounding the double one) and
         * writes its gradient over {@code out[0, W)} ({@link Network#gradientSum}: no zero fill in float32).
         */
        private double denseGradient(RowBlock block, int start, int m, double[] out) {
            Targets targets = gatherLabels(block, perm, start, m, y);
            if (x32 != null) {
                block.gatherRows(perm, start, m, x32);
                return network.gradientSum(params(), FloatMatrix.wrap(m, block.cols, x32), targets, out, workspace);
            }
            block.gatherRows(perm, start, m, x);
            return network.gradientSum(params(), Matrix.wrap(m, block.cols, x), targets, out, workspace);
        }

        /** Makes {@link #perm} the partition's row order of {@code epoch} (computed once per epoch). */
        void permute(BatchPlan plan, int epoch, int partition) {
            if (permEpoch != epoch) {
                plan.permutation(epoch, partition, perm);
                permEpoch = epoch;
            }
        }
    }

    /** Width of the dense batch buffer a block needs: its columns, or 0 for a sparse block (gathered by BatchReader). */
    static int denseCols(RowBlock block) {
        return block == null ? 1 : block.isSparse() ? 0 : block.cols;
    }

    @Override
    public PartialGradient apply(TaskContext context, Iterator<RowBlock> blocks) {
        int partition = context.partitionId();
        if (!blocks.hasNext()) { // no rows: needs no parameters next step either
            PartialGradient none = new PartialGradient(partition, null, 0, 0, 0, 0);
            if (nextKey(plan, epoch, step, none.nextKey)) none.nextRows = new int[0];
            return none;
        }
        RowBlock block = blocks.next();
        if (blocks.hasNext()) {
            throw new IllegalStateException("partition " + partition + " holds more than one row block");
        }
        if (block.isSparse()) return sparseStep(partition, block);
        int n = block.rows;
        State st = ExecutorCache.get(runId, "step", partition,
                () -> new State(architecture, plan.maxRowsPerStep(n), n, denseCols(block), precision));
        synchronized (st) {
            st.permute(plan, epoch, partition);
            int m = st.gradient(block, plan, step, params);
            if (m == 0) {
                return new PartialGradient(partition, null, 0, 0, 0, 0);
            }
            byte[] rows = st.sparse == null ? null : st.sparse.encode(st.grad());
            if (rows != null) {
                long computeNanos = System.nanoTime() - st.lastComputeStart;
                return new PartialGradient(partition, rows, st.lastLoss, m, computeNanos,
                        st.lastComputeStart - st.lastFetchStart, st.sparse.features(), st.sparse.outputs());
            }
            DoubleBytes.encode(st.grad(), st.gradBytes());
            long computeNanos = System.nanoTime() - st.lastComputeStart;
            double loss = st.lastLoss;
            long fetch = st.lastComputeStart - st.lastFetchStart;
            // The task's result is serialised before the task ends, so reusing st.gradBytes next step is safe.
            return new PartialGradient(partition, st.gradBytes(), loss, m, computeNanos, fetch);
        }
    }

    /**
     * A sparse block's step in the compact feature space ({@link CompactSparseStep}): the partial as touched rows +
     * tail (or dense when smaller), plus the features the partition's next step reads.
     */
    private PartialGradient sparseStep(int partition, RowBlock block) {
        int n = block.rows;
        CompactSparseStep st = ExecutorCache.get(runId, "sparse-step", partition,
                () -> new CompactSparseStep(architecture, plan.maxRowsPerStep(n), n, precision));
        synchronized (st) {
            long fetchStart = System.nanoTime();
            st.permute(plan, epoch, partition);
            int start = plan.sliceStart(step, n);
            int m = plan.sliceEnd(step, n) - start;
            PartialGradient out;
            if (m == 0) {
                out = new PartialGradient(partition, null, 0, 0, 0, 0);
            } else {
                byte[] bc = params.value();
                long computeStart = System.nanoTime();
                double loss = st.step(block, start, m, bc, compactParams);
                boolean rowSparse = st.isRowSparse();
                byte[] grad = st.encode();
                out = new PartialGradient(partition, grad, loss, m, System.nanoTime() - computeStart,
                        computeStart - fetchStart, rowSparse ? st.features() : 0, rowSparse ? st.outputs() : 0);
            }
            out.nextRows = st.nextRows(block, plan, epoch, step, partition, out.nextKey);
            return out;
        }
    }

    /** {@code key = {epoch, step}} of the step after {@code (epoch, step)}; false after the run's last step. */
    static boolean nextKey(BatchPlan plan, int epoch, int step, int[] key) {
        boolean sameEpoch = step + 1 < plan.stepsPerEpoch();
        key[0] = sameEpoch ? epoch : epoch + 1;
        key[1] = sameEpoch ? step + 1 : 0;
        return key[0] < plan.epochs();
    }

    /** Copies rows {@code perm[start..start+m)} of the block into {@code x} (m x cols, column-major) and {@code y}. */
    static void gather(RowBlock block, int[] perm, int start, int m, double[] x, double[] y) {
        block.gatherRows(perm, start, m, x);
        gatherLabels(block, perm, start, m, y);
    }

    /**
     * The labels of rows {@code perm[start..start+m)} into {@code y}, as targets; the rows themselves go through
     * {@link RowBlock#gatherRows} (from the block's one row-major copy: each row one sequential read).
     */
    static Targets gatherLabels(RowBlock block, int[] perm, int start, int m, double[] y) {
        for (int i = 0; i < m; i++) {
            y[i] = block.labels[perm[start + i]];
        }
        return Targets.ofValues(m, y);
    }
}
