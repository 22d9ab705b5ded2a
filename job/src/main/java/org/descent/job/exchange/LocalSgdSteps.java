package org.descent.job.exchange;

import java.io.IOException;
import java.util.Arrays;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.optim.MiniBatchUpdate;

/**
 * Local SGD inside an allreduce segment ({@code training.local-steps = k > 1}). Each task steps its own copy on its
 * own slice ({@link MiniBatchUpdate} with the local gradient and row count); after every k-th step of the epoch (and
 * at the segment's end) the tasks replace parameters and optimizer state arrays by their row-weighted mean,
 * {@code w = sum_i n_i w_i / sum_i n_i} (n_i = rows task i used since the last average), through one allreduce of
 * the window vector
 * <pre>
 *   [n_i w_i (W) | n_i state_a (W each) | n_i | per window step j: loss*rows, rows, norm*rows,
 *    tasks whose loss was not finite, tasks whose parameters were not finite]
 * </pre>
 * A step's reported loss and norm are the row-weighted means of the tasks' local figures; its status is
 * NON_FINITE_LOSS if any task's loss was not finite, else NON_FINITE_PARAMS if any task's parameters were not, else
 * OK. The averaging's wall time is charged to the window's last step. A non-OK step is the last one recorded.
 */
final class LocalSgdSteps {
    /** Slots per window step in the window vector. */
    private static final int SLOTS = 5;
    private static final int LOSS = 0;
    private static final int ROWS = 1;
    private static final int NORM = 2;
    private static final int BAD_LOSS = 3;
    private static final int BAD_PARAMS = 4;

    private final SegmentRun run;
    private final int w;
    private final int k;
    private final int head;
    private final double[] vec;
    private final double[] local;
    private final double[] grad;
    private final long[] wall;
    private final long[] comp;
    private final double[] lr;
    private final ParameterLayout layout;

    private LocalSgdSteps(SegmentRun run) {
        this.run = run;
        this.w = run.params.length;
        this.k = run.setup.localSteps();
        this.head = w * (1 + run.opt.stateArrays().length);
        this.vec = new double[head + 1 + SLOTS * k];
        this.local = new double[w + 1];
        this.grad = new double[w];
        this.wall = new long[k];
        this.comp = new long[k];
        this.lr = new double[k];
        this.layout = run.st.network.layout();
    }

    static void run(SegmentRun run) throws IOException {
        new LocalSgdSteps(run).steps();
    }

    private void steps() throws IOException {
        int windowStart = 0;
        long windowRows = 0;
        for (int i = 0; i < run.steps(); i++) {
            int step = run.from + i;
            int j = i - windowStart;
            if (j == 0) Arrays.fill(vec, head, vec.length, 0.0);
            run.beforeStep(step);
            windowRows += localStep(step, j);
            boolean sync = (step + 1) % k == 0 || i == run.steps() - 1;
            if (!sync) continue;
            long s0 = System.nanoTime();
            average(windowRows, run.globalStep(step));
            if (!recordWindow(windowStart, j, System.nanoTime() - s0)) return;
            windowStart = i + 1;
            windowRows = 0;
        }
    }

    /** This task's step on its own copy; fills window slot {@code j}; returns the rows it used. */
    private int localStep(int step, int j) {
        long t = run.globalStep(step);
        long c0 = System.nanoTime();
        int m = run.sliceGradient(step, local);
        long c1 = System.nanoTime();
        lr[j] = run.opt.learningRate(t);
        if (m == 0) {
            run.opt.skipStep(t); // no rows this step: count the step, change nothing
        } else {
            MiniBatchUpdate.Outcome o = run.setup.update().apply(run.params, local, local[w], m, t, run.opt, layout,
                    grad);
            int s = head + 1 + SLOTS * j;
            vec[s + LOSS] = o.loss() * m;
            vec[s + ROWS] = m;
            vec[s + NORM] = o.gradNorm() * m;
            vec[s + BAD_LOSS] = o.status() == MiniBatchUpdate.Status.NON_FINITE_LOSS ? 1 : 0;
            vec[s + BAD_PARAMS] = o.status() == MiniBatchUpdate.Status.NON_FINITE_PARAMS ? 1 : 0;
        }
        comp[j] = c1 - c0;
        wall[j] = System.nanoTime() - c0;
        return m;
    }

    /** Packs {@code n_i w_i} and {@code n_i state_i}, allreduces, divides by {@code sum n_i}. */
    private void average(long windowRows, long tag) throws IOException {
        double[] params = run.params;
        double[][] states = run.opt.stateArrays();
        for (int x = 0; x < w; x++) vec[x] = params[x] * windowRows;
        for (int a = 0; a < states.length; a++) {
            double[] sa = states[a];
            int off = w * (1 + a);
            for (int x = 0; x < w; x++) vec[off + x] = sa[x] * windowRows;
        }
        vec[head] = windowRows;
        run.mesh.allReduce(vec, vec.length, tag);
        double total = vec[head];
        if (total <= 0) return;
        double inv = 1.0 / total;
        for (int x = 0; x < w; x++) params[x] = vec[x] * inv;
        for (int a = 0; a < states.length; a++) {
            double[] sa = states[a];
            int off = w * (1 + a);
            for (int x = 0; x < w; x++) sa[x] = vec[off + x] * inv;
        }
    }

    /** Records the window's steps {@code 0..last} from the summed slots; false if a step failed (stop). */
    private boolean recordWindow(int windowStart, int last, long averagingNanos) {
        for (int q = 0; q <= last; q++) {
            int s = head + 1 + SLOTS * q;
            double rows = vec[s + ROWS];
            double loss = rows > 0 ? vec[s + LOSS] / rows : Double.NaN;
            double norm = rows > 0 ? vec[s + NORM] / rows : Double.NaN;
            MiniBatchUpdate.Status status = vec[s + BAD_LOSS] > 0 ? MiniBatchUpdate.Status.NON_FINITE_LOSS
                    : vec[s + BAD_PARAMS] > 0 ? MiniBatchUpdate.Status.NON_FINITE_PARAMS : MiniBatchUpdate.Status.OK;
            long exch = q == last ? averagingNanos : 0;
            StepFigures f = StepFigures.summed((long) rows, rows > 0 ? vec[s + LOSS] : 0, comp[q] + exch, comp[q],
                    comp[q], 0, 0, run.setup.partitions())
                    .updated(new MiniBatchUpdate.Outcome(loss, norm, lr[q], status), wall[q] - comp[q]);
            run.record(f);
            if (!f.ok()) return false;
        }
        return true;
    }
}
