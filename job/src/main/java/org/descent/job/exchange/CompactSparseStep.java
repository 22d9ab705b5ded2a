package org.descent.job.exchange;

import java.util.ArrayList;
import java.util.List;
import org.descent.job.data.BatchReader;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.nn.Targets;
import org.descent.math.sparse.CompactRows;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FeatureIndex;
import org.descent.math.sparse.FloatCsrMatrix;
import org.descent.math.sparse.RowSparseGradient;
import org.descent.math.sparse.SparseRows;

/**
 * A partition's broadcast-collect step on a SPARSE block in a compact feature space ({@link CompactRows}): the
 * step's rows are gathered, their distinct features {@code rows[0..t)} found, the batch re-indexed to local features
 * {@code 0..t-1}, and the step computed by a network whose first layer is {@code cap} wide ({@code cap >= t}, grown
 * when a batch needs more). Nothing on the executor is sized by {@code d k} (its {@link FeatureIndex} holds 4 bytes
 * and a bit per feature): the compact parameters and gradient hold
 * {@code cap k + tail} doubles, read from the broadcast (whole vector, or the driver's row-sparse encoding of the
 * rows this step needs) and sent back as touched rows + tail ({@link RowSparseGradient}), or as the dense vector when
 * that is smaller. The sums are those of the full-width network bit for bit (same entries, same order).
 *
 * <p>It also reports the features of the partition's NEXT step ({@link #nextRows}), so the driver can broadcast only
 * the rows the next step reads. Call order per step: {@link #permute}, {@link #step}, {@link #encode}, {@link #nextRows}
 * (which reuses the step's {@link FeatureIndex}, so it comes last).
 * Not thread-safe (one per partition per run, used under its lock).
 */
final class CompactSparseStep {
    private final ModelArchitecture architecture;
    private final Precision precision;
    private final int d;
    private final int k;
    private final int tail;
    private final int maxRows;
    private final BatchReader reader;
    private final int[] perm;
    /** The step's distinct features and their local indices (also used by {@link #nextRows} after the step). */
    private final FeatureIndex index;
    private int permEpoch = -1;
    private int[] rows = new int[0];
    private int[] local = new int[0];
    private int t;
    private int cap;
    private Network network;
    private Network.Workspace workspace;
    private double[] params;
    private double[] grad;

    CompactSparseStep(ModelArchitecture architecture, int maxRows, int blockRows, Precision precision) {
        this.architecture = architecture;
        this.precision = precision;
        LayerSpec first = architecture.layers().get(0);
        this.d = first.in();
        this.k = first.out();
        int w = architecture.toNetwork().numParams();
        this.tail = w - d * k;
        this.maxRows = Math.max(1, maxRows);
        this.reader = new BatchReader(this.maxRows, d);
        this.perm = new int[blockRows];
        this.index = new FeatureIndex(d);
    }

    /** Makes {@link #perm} the partition's row order of {@code epoch} (computed once per epoch). */
    void permute(BatchPlan plan, int epoch, int partition) {
        if (permEpoch != epoch) {
            plan.permutation(epoch, partition, perm);
            permEpoch = epoch;
        }
    }

    /**
     * Rows {@code perm[start..start+m)} of {@code block} at the broadcast parameters ({@code compact}: the driver's
     * row-sparse encoding, else the whole vector); returns the loss sum and leaves the gradient for {@link #encode}.
     */
    double step(RowBlock block, int start, int m, byte[] broadcast, boolean compact) {
        SparseRows xc = gatherCompact(block, start, m);
        if (compact) CompactRows.readEncoded(broadcast, d, k, rows, t, params, cap);
        else CompactRows.readFull(broadcast, d, k, rows, t, params, cap);
        return compute(xc, m);
    }

    /**
     * As {@link #step} at the parameters {@code full} (the whole vector, as an allreduce rank holds it); the gradient
     * stays in the compact buffers ({@link #rows}, {@link #touched}, {@link #gradient}).
     */
    double stepAt(RowBlock block, int start, int m, double[] full) {
        SparseRows xc = gatherCompact(block, start, m);
        CompactRows.readDense(full, d, k, rows, t, params, cap);
        return compute(xc, m);
    }

    /** Gathers the rows, lists their distinct features and returns the batch re-indexed to local features. */
    private SparseRows gatherCompact(RowBlock block, int start, int m) {
        reader.gather(block, perm, start, m);
        SparseRows x = reader.sparse();
        int from = x.rowPtr()[0];
        int end = x.rowPtr()[m];
        index.add(x.colIdx(), from, end);
        t = index.finish();
        rows = index.rows();
        ensureCapacity(t);
        if (local.length < end) local = new int[Math.max(end, local.length + local.length / 2)];
        index.remap(x.colIdx(), from, end, local);
        return x instanceof CsrMatrix c ? new CsrMatrix(m, cap, c.rowPtr(), local, c.values())
                : new FloatCsrMatrix(m, cap, x.rowPtr(), local, ((FloatCsrMatrix) x).values());
    }

    private double compute(SparseRows xc, int m) {
        CompactRows.clear(grad, k, t, cap);
        return network.lossAndGradientSum(params, xc, Targets.ofValues(m, reader.labels()), grad, workspace);
    }

    /** The last step's sorted distinct features, {@code rows()[0..touched())} (valid until the next step). */
    int[] rows() {
        return rows;
    }

    int touched() {
        return t;
    }

    /** The last step's compact gradient: row {@code l} of {@code W_1} at {@code l + j cap()}, the tail at {@code cap() k}. */
    double[] gradient() {
        return grad;
    }

    int cap() {
        return cap;
    }

    /** The step's gradient as touched rows + tail, or dense when that is smaller; see {@link #isRowSparse}. */
    byte[] encode() {
        return isRowSparse() ? CompactRows.encodeRows(grad, cap, d, k, rows, t)
                : CompactRows.encodeDense(grad, cap, d, k, rows, t);
    }

    /** True when {@link #encode} gives the row-sparse form. */
    boolean isRowSparse() {
        return RowSparseGradient.sparseBytes(t, d, k, d * k + tail) < 8L * (d * (long) k + tail);
    }

    /**
     * The sorted distinct features the partition's step after {@code (epoch, step)} reads, with that step's
     * {@code {epoch, step}} in {@code key}; null after the run's last step.
     */
    int[] nextRows(RowBlock block, BatchPlan plan, int epoch, int step, int partition, int[] key) {
        if (!StepTask.nextKey(plan, epoch, step, key)) return null;
        int e = key[0];
        int s = key[1];
        int n = block.rows;
        int start = plan.sliceStart(s, n);
        int m = plan.sliceEnd(s, n) - start;
        if (m == 0) return new int[0];
        permute(plan, e, partition);
        int[] ptr = block.sparse.rowPtr();
        for (int i = 0; i < m; i++) {
            int r = perm[start + i];
            index.add(block.sparse.colIdx(), ptr[r], ptr[r + 1]);
        }
        int u = index.finish(); // overwrites the step's feature list: encode() must have run (call order)
        return java.util.Arrays.copyOf(index.rows(), u);
    }

    int features() {
        return d;
    }

    int outputs() {
        return k;
    }

    /** A first layer {@code cap >= need} wide (grown by half again at least), with its buffers. */
    private void ensureCapacity(int need) {
        if (network != null && need <= cap) return;
        cap = Math.min(d, Math.max(need, Math.max(16, cap + cap / 2)));
        List<LayerSpec> layers = new ArrayList<>(architecture.layers());
        LayerSpec first = layers.get(0);
        layers.set(0, new LayerSpec(cap, first.out(), first.activation(), first.leakySlope()));
        network = new Network(layers, architecture.loss());
        workspace = network.newWorkspace(maxRows, precision);
        params = new double[network.numParams()];
        grad = new double[network.numParams()];
    }
}
