package org.descent.job.exchange;

import java.io.IOException;
import java.util.Arrays;
import org.descent.job.data.RowBlock;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.RowSparseUpdate;

/**
 * Synchronous allreduce steps on SPARSE blocks: only the rows of {@code W_1} that some partition's batch touches are
 * exchanged, never the dense {@code d x k} gradient. Per step, on every rank:
 * <ol>
 *   <li>each owned partition's slice gradient in its compact feature space ({@link CompactSparseStep#stepAt}, at the
 *       rank's parameters): its sorted touched rows, their gradient rows and the dense tail;</li>
 *   <li><b>union</b>: an allreduce of per-partition presence vectors, {@code F} features per double, feature f a
 *       {@code b}-bit field with 1 if the partition touches it ({@code 2^b > P}, so the exact integer sums never carry
 *       into the next field and any summation order gives the same bits): the sorted union {@code U} of all
 *       partitions' rows, the same on every rank;</li>
 *   <li><b>values</b>: the existing {@link Mesh#allReduce} over the compact vector {@code [U rows x k (row u's entries
 *       at u k + j) | tail | loss | rows | compute nanos per partition]}, a partition's absent rows +0.0. The
 *       transports (in-memory {@link LocalHub}, TCP, {@link NodeExchange}) add {@code 0.0 + p_0 + ... + p_{P-1}}
 *       per element in partition order, exactly as the driver of the broadcast-collect engine adds the same
 *       partials, so the sum has the same bits (adding +0.0 changes nothing: a sum from +0.0 is never -0.0);</li>
 *   <li>every rank applies the same update: {@link RowSparseUpdate#applyValues} straight from the summed rows (plain
 *       SGD, Adagrad; touched rows only), or, for the others, the dense {@link MiniBatchUpdate} on the sum scattered
 *       into a buffer that is +0.0 outside {@code U} (only the previous scatter's rows are cleared). Both equal the
 *       broadcast-collect engine's update. Ranks that share one JVM and an in-JVM start state share one parameter
 *       array and optimizer state instead ({@link SharedState}) and skip both allreduces: after one wait every rank
 *       reads every partition's compact gradient from memory and forms the same union and sums
 *       ({@link SharedRowSum}), applies the row update to its share of {@code U} and waits for the others before
 *       the next step reads the parameters (two waits a step instead of seven).</li>
 * </ol>
 * Per rank and step the exchange moves {@code O(d / F + |U| k + tail)} doubles instead of {@code O(d k)}, and nothing
 * in the step costs O(d k) (the dense update of momentum or Adam aside).
 *
 * <p>Call order: {@link #agreeSparse} once per segment on every rank (a collective: ranks owning no block learn it
 * too), then {@link #step} per step on every rank. Not thread-safe (one per rank and segment).
 */
final class SparseSteps {
    /** Tag of the segment's "are the blocks sparse" allreduce (apart from the steps' and the state gathers'). */
    private static final long AGREE_TAG = Long.MIN_VALUE / 2;
    /** Offset of a step's presence allreduce tag from the step's own (global steps stay far below it). */
    private static final long PRESENCE_TAG = 1L << 48;

    private final SegmentRun run;
    private final CompactSparseStep[] steps;
    private final int d;
    private final int k;
    private final int tail;
    private final int partitions;
    private final int bits;
    private final int perWord;
    /** Per owned partition, the presence vector of the step's rows (ranks with their own state; null when shared). */
    private final double[][] presence;
    /** The union and summed rows read from every partition's gradient in memory (shared state; else null). */
    private final SharedRowSum rowSum;
    private final double[] sum;
    private final double[] scratch;
    private final RowSparseUpdate rowUpdate;
    private int[] unionRows = new int[16];
    private int[] previous = new int[0];
    private int previousCount;
    private double[][] vecs;

    SparseSteps(SegmentRun run) {
        this.run = run;
        this.partitions = run.setup.partitions();
        LayerSpec first = run.setup.architecture().layers().get(0);
        this.d = first.in();
        this.k = first.out();
        int w = run.params.length;
        this.tail = w - d * k;
        this.bits = 64 - Long.numberOfLeadingZeros(partitions); // 2^bits > partitions
        this.perWord = 53 / bits; // fields of a double's exact integers
        int words = (d + perWord - 1) / perWord;
        this.presence = run.shared != null ? null : new double[run.blocks.length][words];
        this.steps = new CompactSparseStep[run.blocks.length];
        for (int j = 0; j < steps.length; j++) {
            RowBlock b = run.blocks[j];
            if (b == null) continue;
            int partition = run.firstPartition + j;
            steps[j] = ExecutorCache.get(run.setup.runId(), "allreduce-sparse", partition,
                    () -> new CompactSparseStep(run.setup.architecture(), run.setup.plan().maxRowsPerStep(b.rows),
                            b.rows, run.setup.precision()));
            steps[j].permute(run.setup.plan(), run.epoch, partition);
        }
        // once per rank and run, not per epoch: the row update checks every parameter on its first call only (the
        // rows it leaves alone stay as checked), 2M values for the text benchmark
        String runId = run.setup.runId();
        this.rowUpdate = RowSparseUpdate.applies(run.setup.update(), run.opt)
                ? ExecutorCache.get(runId, "allreduce-row-update", run.firstPartition,
                        () -> new RowSparseUpdate(run.setup.update(), run.st.network.layout(), d, k)) : null;
        this.rowSum = run.shared == null ? null : ExecutorCache.get(runId, "allreduce-row-sum", run.firstPartition,
                () -> new SharedRowSum(k, tail));
        this.sum = rowUpdate != null ? null : new double[w]; // the dense update's buffers only
        this.scratch = rowUpdate != null ? null : new double[w];
    }

    /**
     * Whether the segment's blocks are sparse (a collective over all ranks: every rank must call it). False for a
     * model whose first layer is not a plain {@code d x k} block at offset 0.
     */
    static boolean agreeSparse(SegmentTask.Setup setup, RowBlock[] blocks, Mesh mesh, ParameterLayout layout)
            throws IOException {
        boolean flat = !setup.architecture().hasStack() && layout.weight(0).offset() == 0;
        double[][] v = new double[blocks.length][2];
        for (int j = 0; j < v.length; j++) {
            RowBlock b = blocks[j];
            if (b != null) v[j][b.isSparse() ? 0 : 1] = 1;
        }
        mesh.allReduce(v, 2, AGREE_TAG);
        return flat && v[0][0] > 0 && v[0][1] == 0;
    }

    /** Step {@code step} (global index {@code t}), started at {@code c0}: its figures, update included. */
    StepFigures step(int step, long t, long c0) throws IOException {
        long[] nanos = new long[1];
        double[] losses = new double[steps.length];
        int[] rows = computeSlices(step, losses, nanos);
        if (run.shared != null) return sharedStep(step, t, c0, losses, rows, nanos[0]);
        int u = unionOf(t);
        int n = u * k + tail + 2 + partitions;
        packValues(u, n, losses, rows, nanos[0]);
        run.mesh.allReduce(vecs, n, t);
        long c2 = System.nanoTime();
        double[] v = vecs[0];
        int at = u * k + tail;
        long total = (long) v[at + 1];
        MiniBatchUpdate.Outcome o;
        if (rowUpdate != null) { // straight from the summed rows: no d x k buffer read or written
            o = rowUpdate.applyValues(run.params, v, v[at], total, t, run.opt, unionRows, u);
        } else {
            scatter(v, u);
            o = run.setup.update().apply(run.params, sum, v[at], total, t, run.opt, run.st.network.layout(), scratch);
        }
        long c3 = System.nanoTime();
        long cmax = 0;
        long csum = 0;
        for (int r = 0; r < partitions; r++) {
            cmax = Math.max(cmax, (long) v[at + 2 + r]);
            csum += (long) v[at + 2 + r];
        }
        // as the dense steps: the step lasted at least as long as the slowest rank's compute
        return StepFigures.summed(total, v[at], Math.max(c2 - c0, cmax), cmax, csum, 0, 0, partitions)
                .updated(o, c3 - c2);
    }

    /**
     * A step of ranks that share their parameters ({@link SharedState}), after {@link #computeSlices}: publish the
     * partitions' gradients, wait for every rank, sum every partition's rows from memory ({@link SharedRowSum}, the
     * bits of the allreduces of {@link #unionOf} and {@link #packValues}), then {@link #sharedUpdate}. Two waits a
     * step instead of seven.
     */
    private StepFigures sharedStep(int step, long t, long c0, double[] losses, int[] m, long computeNanos)
            throws IOException {
        SharedState s = run.shared;
        s.publish(run.rank(), run.firstPartition, steps, losses, m, computeNanos, t);
        s.gather(run.mesh);
        long total = s.totalRows();
        double lossSum = s.lossSum();
        boolean rowStep = RowSparseUpdate.rowStep(total, t, run.opt);
        // the row step takes the sum scaled by 1/n (scaled here, in the pass that adds it); the whole update the sum
        int u = rowSum.sum(s.slices, rowStep ? 1.0 / total : 1.0);
        long cmax = 0;
        long csum = 0;
        for (long c : s.computeNanos) { // before the update's wait: after it the ranks publish the next step
            cmax = Math.max(cmax, c);
            csum += c;
        }
        run.mesh.traffic().sharedStep(peerBytes(s), u);
        long c2 = System.nanoTime();
        MiniBatchUpdate.Outcome o = sharedUpdate(rowStep, lossSum, total, t, u, step == run.from);
        long c3 = System.nanoTime();
        return StepFigures.summed(total, lossSum, Math.max(c2 - c0, cmax), cmax, csum, 0, 0, partitions)
                .updated(o, c3 - c2);
    }

    /** Bytes of the other ranks' partitions this rank read for the sum: their touched rows' values and tails. */
    private long peerBytes(SharedState s) {
        long bytes = 0;
        for (int p = 0; p < s.slices.length; p++) {
            CompactSparseStep c = s.slices[p];
            boolean mine = p >= run.firstPartition && p < run.firstPartition + steps.length;
            if (c != null && !mine) bytes += 8L * ((long) c.touched() * k + tail) + 4L * c.touched();
        }
        return bytes;
    }

    /**
     * The row update on the ranks' shared parameters ({@link SharedState}) from {@link #rowSum}'s sum: this rank's
     * share of the union rows (the last rank also the tail), then a wait for every rank, whose flags give the status;
     * the bits of {@link RowSparseUpdate#applyValues} on a rank's own copy ({@link RowSparseUpdate#applyScaled} on
     * the scaled sum and its norm). A step only the whole update can take ({@code rowStep} false: no rows, or a rate
     * the row step cannot take; the sum unscaled) is rank 0's alone, the others wait for it. {@code first}: the
     * segment's first step, whose status includes the start parameters' check.
     */
    private MiniBatchUpdate.Outcome sharedUpdate(boolean rowStep, double lossSum, long total, long t, int u,
                                                 boolean first) throws IOException {
        SharedState s = run.shared;
        double[] v = rowSum.values();
        if (!rowStep) {
            MiniBatchUpdate.Outcome mine = null;
            if (run.rank() == 0) {
                mine = rowUpdate.applyValues(run.params, v, lossSum, total, t, run.opt, rowSum.rows(), u);
            } else {
                run.opt.skipStep(t); // rank 0 stepped the shared state: every rank's optimizer counts the step
            }
            return s.wholeOutcome(run.mesh, mine);
        }
        int r = run.rank();
        int ranks = run.mesh.size();
        double norm = RowSparseUpdate.norm(v, u * k + tail, rowSum.sumSquares(), rowSum.max());
        MiniBatchUpdate.Outcome o = rowUpdate.applyScaled(run.params, v, norm, lossSum, total, t, run.opt,
                rowSum.rows(), u, SharedState.share(r, ranks, u), SharedState.share(r + 1, ranks, u), r == ranks - 1);
        if (o.status() == MiniBatchUpdate.Status.NON_FINITE_LOSS) { // the same on every rank: nothing updated
            s.afterUpdate(run.mesh, true); // still wait: another rank may be reading this rank's published gradients
            return o;
        }
        boolean finite = s.afterUpdate(run.mesh, o.status() == MiniBatchUpdate.Status.OK) && (!first || run.startFinite);
        return finite ? o : new MiniBatchUpdate.Outcome(o.loss(), o.gradNorm(), o.learningRate(),
                MiniBatchUpdate.Status.NON_FINITE_PARAMS);
    }

    /** Each owned partition's compact slice gradient; returns rows per partition, losses into {@code losses}. */
    private int[] computeSlices(int step, double[] losses, long[] nanos) {
        long c0 = System.nanoTime();
        int[] m = new int[steps.length];
        for (int j = 0; j < steps.length; j++) {
            RowBlock b = run.blocks[j];
            if (presence != null) Arrays.fill(presence[j], 0.0);
            if (b == null) continue;
            int start = run.setup.plan().sliceStart(step, b.rows);
            m[j] = run.setup.plan().sliceEnd(step, b.rows) - start;
            if (m[j] == 0) continue;
            steps[j].permute(run.setup.plan(), run.epoch, run.firstPartition + j);
            losses[j] = steps[j].stepAt(b, start, m[j], run.params);
            if (presence == null) continue; // shared state: the sum reads the rows themselves
            int[] r = steps[j].rows();
            for (int l = 0, t = steps[j].touched(); l < t; l++) {
                int f = r[l];
                presence[j][f / perWord] += Math.scalb(1.0, (f % perWord) * bits); // exact: one bit set per field
            }
        }
        nanos[0] = System.nanoTime() - c0;
        return m;
    }

    /** The presence allreduce: the sorted union of all partitions' rows into {@link #unionRows}; returns its size. */
    private int unionOf(long t) throws IOException {
        int words = presence[0].length;
        run.mesh.allReduce(presence, words, t + PRESENCE_TAG);
        double[] p = presence[0];
        long mask = (1L << bits) - 1;
        int u = 0;
        for (int w = 0; w < words; w++) {
            if (p[w] == 0) continue;
            long word = (long) p[w];
            int base = w * perWord;
            // jump from set field to set field (O(rows) per word, not O(fields)): a field's lowest set bit names it
            while (word != 0) {
                int i = Long.numberOfTrailingZeros(word) / bits;
                if (u == unionRows.length) unionRows = Arrays.copyOf(unionRows, 2 * u);
                unionRows[u++] = base + i;
                word &= ~(mask << (i * bits));
            }
        }
        run.mesh.traffic().sparseStep(words, u);
        return u;
    }

    /** Each owned partition's compact vector: its rows at their union slots, the tail, loss, rows, compute time. */
    private void packValues(int u, int n, double[] losses, int[] m, long computeNanos) {
        if (vecs == null || vecs[0].length < n) vecs = new double[steps.length][Math.max(n, 16 + n + n / 2)];
        int at = u * k + tail;
        for (int j = 0; j < steps.length; j++) {
            double[] v = vecs[j];
            Arrays.fill(v, 0, n, 0.0);
            if (m[j] > 0) {
                CompactSparseStep s = steps[j];
                int[] r = s.rows();
                double[] g = s.gradient();
                int cap = s.cap();
                // both lists ascending, the partition's a subset of the union: one merge walk finds every slot
                // (sequential reads; a d-sized slot table was written and read at random, ~0.3 ms a step)
                for (int l = 0, q = 0, t = s.touched(); l < t; l++, q++) {
                    while (q < u && unionRows[q] != r[l]) q++;
                    if (q == u) throw new IllegalStateException("sparse allreduce: feature " + r[l] + " of partition "
                            + (run.firstPartition + j) + " is missing from the row union");
                    int base = q * k;
                    for (int c = 0; c < k; c++) v[base + c] = g[l + c * cap];
                }
                System.arraycopy(g, cap * k, v, u * k, tail);
            }
            v[at] = losses[j];
            v[at + 1] = m[j];
        }
        vecs[0][at + 2 + run.firstPartition] = computeNanos;
    }

    /** The summed compact vector into {@link #sum} (+0.0 outside the union: only the previous rows are cleared). */
    private void scatter(double[] v, int u) {
        for (int c = 0, col = 0; c < k; c++, col += d) { // column by column: ascending addresses
            for (int l = 0; l < previousCount; l++) sum[previous[l] + col] = 0.0;
            for (int l = 0; l < u; l++) sum[unionRows[l] + col] = v[l * k + c];
        }
        System.arraycopy(v, u * k, sum, d * k, tail);
        if (previous.length < u) previous = new int[Math.max(u, 2 * previous.length)];
        System.arraycopy(unionRows, 0, previous, 0, u);
        previousCount = u;
    }
}
