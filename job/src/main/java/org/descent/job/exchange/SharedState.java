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
 * copied once, each rank a share.
 *
 * <p>Per step ({@link SparseSteps}): every rank computes its slice gradient at the shared parameters (reads only),
 * the allreduces give every rank the same summed rows, rank {@code r} of {@code R} updates the union rows
 * {@code [u r / R, u (r+1) / R)} (the last rank also the tail) with its own {@link Optimizer} object over the shared
 * state arrays ({@link Optimizer#initShared}), writes whether its entries stayed finite into {@link #finite}, and
 * waits at {@link #afterUpdate} for every rank before the next step reads the parameters. The entries are disjoint
 * and the rules elementwise, so every entry gets the bits a rank's own whole update gave it.
 *
 * <p>Memory: the hub's barrier orders every write before it against every read after it ({@link SpinBarrier}). No
 * rank writes the arrays outside its update share, and an update starts only after every rank is inside the step's
 * values allreduce, so the reads between steps (the epoch end's scoring and hand-over, the result) see a settled
 * state. Lives as long as the segment attempt's hub: a re-run starts from a fresh copy.
 */
final class SharedState {
    final double[] params;
    final double[][] state;
    /** Per rank: its entries (its start share, or its update share) stayed finite; read after a barrier. */
    private final boolean[] finite;
    /** Rank 0's outcome of a step that only the whole update could take ({@link #wholeOutcome}). */
    private MiniBatchUpdate.Outcome whole;

    private SharedState(int w, int stateArrays, int ranks) {
        this.params = new double[w];
        this.state = new double[stateArrays][w];
        this.finite = new boolean[ranks];
    }

    /**
     * Every rank of the segment: joins the shared state (made by the first rank), copies its share of the start
     * parameters and optimizer state into it, makes {@code opt} an optimizer over the shared state arrays, waits for
     * every rank. Right after it, {@link #allFinite} tells whether every start parameter is finite (the check the row
     * update makes on its first step).
     */
    static SharedState start(Mesh mesh, SegmentStart start, Optimizer opt, ParameterLayout layout) throws IOException {
        Optimizer source = start.liveOptimizer();
        int w = layout.size();
        int arrays = source.stateArrays().length;
        SharedState s = mesh.shared(() -> new SharedState(w, arrays, mesh.size()));
        int lo = share(mesh.rank(), mesh.size(), w);
        int hi = share(mesh.rank() + 1, mesh.size(), w);
        start.paramsInto(s.params, lo, hi);
        for (int a = 0; a < arrays; a++) System.arraycopy(source.stateArrays()[a], lo, s.state[a], lo, hi - lo);
        opt.initShared(layout, source, s.state);
        s.finite[mesh.rank()] = org.descent.math.optim.RowSparseUpdate.finiteRange(s.params, lo, hi);
        mesh.barrier();
        return s;
    }

    /** Rank {@code r}'s first index of {@code n} split among {@code ranks} ({@code n} for {@code r = ranks}). */
    static int share(int r, int ranks, int n) {
        return (int) ((long) r * n / ranks);
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
