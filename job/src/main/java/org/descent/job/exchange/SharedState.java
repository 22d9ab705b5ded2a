package org.descent.job.exchange;

import java.io.IOException;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;

/**
 * One parameter array and one set of optimizer state arrays for all the ranks of a sparse allreduce segment that run
 * in one JVM ({@link LocalHub}: Spark local mode), instead of one identical copy per rank. Why (issue 12): every rank
 * applied the same row update to its own 2 x 16 MB (the text benchmark's 2M-parameter softmax with Adagrad), 1.3-2.2
 * ms a step on both cores at once; sharing halves the update's work and the ranks' memory, and the start state is
 * copied once ({@link SegmentStart#takeCopy}).
 *
 * <p>Per step ({@link SparseSteps}), two waits: every rank computes its partitions' slice gradients at the shared
 * parameters (reads only) and {@link #publish}es them; {@link #gather} waits for every rank, after which every rank
 * reads every partition's compact gradient straight from memory and forms the same summed rows
 * ({@link SharedRowSum}: the bits of the presence and values allreduces, without their six waits); rank {@code r}
 * of {@code R} updates the union rows {@code [u r / R, u (r+1) / R)} (the last rank also the tail) with its own
 * {@link Optimizer} object over the shared state arrays ({@link Optimizer#initShared}), writes whether its entries
 * stayed finite into {@link #finite}, and waits at {@link #afterUpdate} for every rank before the next step reads
 * the parameters or rewrites its compact gradient. The entries are disjoint and the rules elementwise, so every
 * entry gets the bits a rank's own whole update gave it.
 *
 * <p>Memory: the hub's barrier orders every write before it against every read after it ({@link SpinBarrier}). No
 * rank writes the arrays outside its update share, and an update starts only after every rank has published its
 * step, so the reads between steps (the epoch end's scoring and hand-over, the result) see a settled state. A
 * rank writes its publication slots and its compact gradients only between {@link #afterUpdate} and the next
 * {@link #gather}, while no rank reads them. Lives as long as the segment attempt's hub: a re-run starts from a
 * fresh copy.
 */
final class SharedState {
    final double[] params;
    final double[][] state;
    /** Per rank: the entries of its last update share stayed finite; read after a barrier. */
    private final boolean[] finite;
    /** Rank 0's outcome of a step that only the whole update could take ({@link #wholeOutcome}). */
    private MiniBatchUpdate.Outcome whole;
    /** Per partition: its step's compact gradient (null: no rows this step), loss sum and rows ({@link #publish}). */
    final CompactSparseStep[] slices;
    final double[] losses;
    final long[] rows;
    /** Per rank: its step's compute time and the step's tag (global step), to check that the ranks are in step. */
    final long[] computeNanos;
    private final long[] tags;

    /** Whether every start parameter is finite (the copy's check). */
    final boolean startFinite;
    /**
     * At an epoch end: the last rank's detached copy of the optimizer for rank 0's hand-over to the driver
     * ({@code SegmentTask}); written before a wait, taken by rank 0 after it.
     */
    Optimizer handOver;

    private SharedState(SegmentStart.Copy start, int ranks, int partitions) {
        this.params = start.params();
        this.state = start.state();
        this.startFinite = start.finite();
        this.finite = new boolean[ranks];
        this.slices = new CompactSparseStep[partitions];
        this.losses = new double[partitions];
        this.rows = new long[partitions];
        this.computeNanos = new long[ranks];
        this.tags = new long[ranks];
    }

    /**
     * Every rank of the segment: joins the shared state, made by the first rank from its own copy of the start
     * parameters and optimizer state ({@link SegmentStart#takeCopy}: usually prepared while the tasks started), makes
     * {@code opt} an optimizer over the shared state arrays, waits for every rank. {@link #startFinite} tells whether
     * every start parameter is finite (the check the row update makes on its first step).
     */
    static SharedState start(Mesh mesh, SegmentStart start, Optimizer opt, ParameterLayout layout, int partitions)
            throws IOException {
        SharedState s = mesh.shared(() -> {
            try {
                return new SharedState(start.takeCopy(), mesh.size(), partitions);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        opt.initShared(layout, start.liveOptimizer(), s.state);
        mesh.barrier();
        return s;
    }

    /** Rank {@code r}'s first index of {@code n} split among {@code ranks} ({@code n} for {@code r = ranks}). */
    static int share(int r, int ranks, int n) {
        return (int) ((long) r * n / ranks);
    }

    /**
     * Rank {@code rank}'s step {@code tag}: its partitions {@code [first, first + steps.length)}, each one's step
     * ({@code m[j] > 0} rows: {@code steps[j]}'s gradient, loss sum {@code losses[j]}; else nothing), and its compute
     * time. Only this rank's slots are written; {@link #gather} must come next.
     */
    void publish(int rank, int first, CompactSparseStep[] steps, double[] losses, int[] m, long nanos, long tag) {
        for (int j = 0; j < steps.length; j++) {
            slices[first + j] = m[j] > 0 ? steps[j] : null;
            this.losses[first + j] = m[j] > 0 ? losses[j] : 0.0;
            rows[first + j] = m[j];
        }
        computeNanos[rank] = nanos;
        tags[rank] = tag;
    }

    /** Waits for every rank's {@link #publish} and checks that all published the same step. */
    void gather(Mesh mesh) throws IOException {
        mesh.barrier();
        long tag = tags[mesh.rank()];
        for (int r = 0; r < tags.length; r++) {
            if (tags[r] != tag) {
                throw new IOException("allreduce rank " + mesh.rank() + ": rank " + r + " is at step tag " + tags[r]
                        + ", expected " + tag + " (the tasks are out of step)");
            }
        }
    }

    /** The step's loss sum, {@code 0.0 + l_0 + ... + l_{P-1}} in partition order (the allreduce's bits). */
    double lossSum() {
        double acc = 0.0;
        for (double l : losses) acc += l;
        return acc;
    }

    /** The step's rows over all partitions. */
    long totalRows() {
        long n = 0;
        for (long m : rows) n += m;
        return n;
    }

    /**
     * After rank {@code rank}'s update share ({@code finite}: its entries stayed finite): waits for every rank and
     * returns whether every rank's entries did.
     */
    boolean afterUpdate(Mesh mesh, boolean ok) throws IOException {
        finite[mesh.rank()] = ok;
        mesh.barrier();
        return allFinite();
    }

    /**
     * A step only the whole update can take: rank 0 passes the outcome of its whole update, the others null; waits
     * for every rank and returns rank 0's outcome on every rank.
     */
    MiniBatchUpdate.Outcome wholeOutcome(Mesh mesh, MiniBatchUpdate.Outcome mine) throws IOException {
        if (mesh.rank() == 0) whole = mine;
        mesh.barrier();
        return whole;
    }

    /** Whether every rank's flag says finite (after a barrier, before the next update writes them). */
    boolean allFinite() {
        for (boolean f : finite) {
            if (!f) return false;
        }
        return true;
    }
}
