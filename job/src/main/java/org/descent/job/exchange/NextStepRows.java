package org.descent.job.exchange;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import org.descent.job.data.RowBlock;
import org.descent.math.sparse.CompactRows;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.LayerSpec;
import org.descent.math.sparse.RowSparseGradient;

/**
 * Driver side of the row-sparse parameter broadcast (broadcast-collect engine, sparse blocks): after step
 * {@code s}, {@link #collect} keeps the union over partitions of the features step {@code s + 1} reads (each
 * {@link CompactSparseStep} reports its own); {@link #payload} then encodes only those rows of {@code W_1} plus the
 * dense tail ({@link RowSparseGradient}'s layout), or returns null (broadcast the whole vector) when the union is
 * unknown for that step (the first step of an engine, a dense block, an empty report) or not smaller.
 * The values read by every task are the same either way, so the step's bits do not depend on which is sent.
 */
final class NextStepRows {
    private static final ClassTag<int[]> INTS = ClassTag$.MODULE$.apply(int[].class);
    private final int d;
    private final int k;
    private final int numParams;
    private int[] rows;
    private int epoch = -1;
    private int step = -1;
    /** Whether the blocks are sparse: unknown (null) until a probe or a step's partials say. */
    private Boolean sparse;

    NextStepRows(ModelArchitecture architecture, int numParams) {
        LayerSpec first = architecture.layers().get(0);
        this.d = architecture.hasStack() ? 0 : first.in();
        this.k = first.out();
        this.numParams = numParams;
    }

    /** The row-sparse parameters for step {@code (epoch, step)}, or null: send the whole vector. */
    byte[] payload(double[] params, int epoch, int step) {
        if (rows == null || d == 0 || epoch != this.epoch || step != this.step) return null;
        if (RowSparseGradient.sparseBytes(rows.length, d, k, numParams) >= 8L * numParams) return null;
        return RowSparseGradient.encode(params, d, k, rows, rows.length);
    }

    /**
     * Before a step whose rows are unknown (an engine's first step) on blocks that are, or may be, sparse: one small
     * job asks every partition which features that step reads (O(the step's non-zeros) per partition), so even the
     * first step broadcasts rows, not the whole vector. Dense blocks answer null once; then no more probes.
     */
    void probe(RDD<RowBlock> blocks, scala.collection.immutable.Seq<Object> partitions, BatchPlan plan, int epoch,
               int step) {
        if (d == 0 || Boolean.FALSE.equals(sparse) || (rows != null && epoch == this.epoch && step == this.step)) return;
        int[][] out = new int[blocks.getNumPartitions()][];
        boolean[] answered = new boolean[out.length];
        blocks.sparkContext().runJob(blocks, new Probe(plan, epoch, step), partitions,
                new AbstractFunction2<Object, int[], BoxedUnit>() {
                    @Override
                    public BoxedUnit apply(Object index, int[] r) {
                        out[(Integer) index] = r;
                        answered[(Integer) index] = true;
                        return BoxedUnit.UNIT;
                    }
                }, INTS);
        int[] key = {epoch, step};
        PartialGradient[] asPartials = new PartialGradient[out.length];
        for (int p = 0; p < out.length; p++) {
            asPartials[p] = new PartialGradient(p, null, 0, 0, 0, 0);
            asPartials[p].nextRows = answered[p] ? out[p] : null;
            asPartials[p].nextKey[0] = key[0];
            asPartials[p].nextKey[1] = key[1];
        }
        collect(asPartials);
        if (rows == null) sparse = false;
    }

    /** Keeps the union of the partitions' next-step features (all for the same step), or forgets it. */
    void collect(PartialGradient[] partials) {
        rows = null;
        int total = 0;
        for (PartialGradient p : partials) {
            if (p.nextRows == null || p.nextKey[0] != partials[0].nextKey[0] || p.nextKey[1] != partials[0].nextKey[1]) {
                return;
            }
            total += p.nextRows.length;
        }
        sparse = true;
        int[] all = new int[total];
        int at = 0;
        for (PartialGradient p : partials) {
            System.arraycopy(p.nextRows, 0, all, at, p.nextRows.length);
            at += p.nextRows.length;
        }
        Arrays.sort(all);
        int t = 0;
        for (int i = 0; i < total; i++) {
            if (t == 0 || all[t - 1] != all[i]) all[t++] = all[i];
        }
        rows = Arrays.copyOf(all, t);
        epoch = partials[0].nextKey[0];
        step = partials[0].nextKey[1];
    }

    /** Bytes exchanged per step (parameters out, partials back), logged once when the engine closes. */
    static final class Traffic {
        private static final org.apache.logging.log4j.Logger LOG =
                org.apache.logging.log4j.LogManager.getLogger(BroadcastCollectExchange.class);
        private long steps;
        private long rowsOnlySteps;
        private long broadcastBytes;
        private long partialBytes;

        void broadcast(long bytes, boolean rowsOnly) {
            steps++;
            if (rowsOnly) rowsOnlySteps++;
            broadcastBytes += bytes;
        }

        void partial(long bytes) {
            partialBytes += bytes;
        }

        void log() {
            if (steps == 0) return;
            LOG.info("exchange bytes per step: parameters {} out ({} of {} steps sent only the rows they read),"
                    + " partials {} back (all partitions)", broadcastBytes / steps, rowsOnlySteps, steps,
                    partialBytes / steps);
        }
    }

    /** Executor side of {@link #probe}: a partition's features at step {@code (epoch, step)}; null for a dense block. */
    private static final class Probe extends AbstractFunction2<TaskContext, scala.collection.Iterator<RowBlock>, int[]>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final BatchPlan plan;
        private final int epoch;
        private final int step;

        Probe(BatchPlan plan, int epoch, int step) {
            this.plan = plan;
            this.epoch = epoch;
            this.step = step;
        }

        @Override
        public int[] apply(TaskContext context, scala.collection.Iterator<RowBlock> blocks) {
            if (!blocks.hasNext()) return new int[0];
            RowBlock b = blocks.next();
            if (!b.isSparse()) return null;
            int start = plan.sliceStart(step, b.rows);
            int m = plan.sliceEnd(step, b.rows) - start;
            if (m == 0) return new int[0];
            int[] perm = new int[b.rows];
            plan.permutation(epoch, context.partitionId(), perm);
            return CompactRows.distinctOfRows(b.sparse, perm, start, m);
        }
    }
}
