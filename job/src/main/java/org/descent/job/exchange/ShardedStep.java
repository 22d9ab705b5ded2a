package org.descent.job.exchange;

import java.io.IOException;
import org.descent.math.FloatMatrix;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;

/**
 * One synchronous step with a sharded optimizer update (ZeRO-1 style): reduce-scatter the gradients; the owner of
 * chunk c applies {@code g = sum / n} and the update to the parameters of chunk c only (1/P of the update work),
 * in one pass ({@link Optimizer#stepRangeScaled}); all-gather the updated parameters (the same bytes an all-gather
 * of gradients moves), straight between the ranks' parameter arrays where the ranks share a JVM
 * ({@link Mesh#allGatherSplit}). Every element gets the same bits as the replicated update: the update rules are
 * elementwise.
 *
 * <p>Applies when nothing in the update needs the whole gradient at once: no regularisation (its penalty is a sum
 * over all parameters) and no clipping (the global norm). Two figures differ from the replicated update: the reported
 * gradient norm is {@code sqrt} of the rank-order sum of the owners' sums of squares (a different rounding than one
 * dnrm2 over the whole gradient), and a non-finite loss is detected after the update rather than before (the run
 * stops either way, without a model). {@link #gatherState} completes the optimizer state at the segment's end.
 */
final class ShardedStep {
    private final SegmentRun run;
    private final double[][] vecs;
    private final double[] vec;
    /** Float32 partials standing for {@code vecs[j][0, W)} ({@link Mesh#reduceScatterSplit}), or null. */
    private final float[][] heads;
    /**
     * With {@link #heads}: the parameters rounded to float, what the float32 pass computes with; each owner rounds
     * its updated chunk and the all-gather moves the float chunks with the double ones (in one JVM), so no rank
     * rounds all W parameters per step. Always {@code (float) params[i]}, bit for bit.
     */
    private final float[] weights32;
    private final double[] grad;
    private final int lo;
    private final int hi;

    /**
     * @param vecs the rank's step vectors, one per partition; the sums land in {@code vecs[0]}
     * @param heads null, or per partition the float32 gradient that stands for {@code vecs[j][0, W)} (dense float32)
     */
    ShardedStep(SegmentRun run, double[][] vecs, float[][] heads, double[] grad) {
        this.run = run;
        this.vecs = vecs;
        this.heads = heads;
        this.weights32 = heads == null ? null : new float[grad.length];
        if (heads != null) FloatMatrix.toFloat(run.params, 0, weights32, 0, grad.length);
        this.vec = vecs[0];
        this.grad = grad;
        int w = grad.length;
        this.lo = Math.min(w, run.mesh.chunkStart(run.rank(), vec.length));
        this.hi = Math.min(w, run.mesh.chunkStart(run.rank() + 1, vec.length));
    }

    /** The float partials the steps' gradients are written into, or null (double partials in the vectors). */
    float[][] heads() {
        return heads;
    }

    /** The float copy of the parameters the float partials are computed at (null without {@link #heads}). */
    float[] weights32() {
        return weights32;
    }

    static boolean applies(MiniBatchUpdate update) {
        return update.regularization().isNone() && update.clipping().isNone();
    }

    /** Step {@code step} (global index {@code t}) whose vector {@code vec} this rank has packed at {@code c0}. */
    SynchronousSteps.StepDone step(int step, long t, long c0) throws IOException {
        double[] params = run.params;
        int w = grad.length;
        int n = vec.length;
        if (heads != null) run.mesh.reduceScatterSplit(heads, w, vecs, n, t);
        else run.mesh.reduceScatter(vecs, n, t);
        long c2 = System.nanoTime();
        long rows = globalRows(step);
        double inv = 1.0 / rows;
        // one pass over the owned chunk: g = sum / rows, its square into ss, the update (grad is only scratch)
        double ss = run.opt.stepRangeScaled(params, vec, inv, grad, t, lo, hi);
        if (!Double.isFinite(ss)) ss = nonFiniteMarker(ss, inv);
        boolean chunkFinite = finite(params, lo, hi);
        if (weights32 != null) FloatMatrix.toFloat(params, lo, weights32, lo, hi - lo);
        long c3 = System.nanoTime();
        // the all-gather reads this rank's chunk from params and writes the others' there (no copy via vec); the sum
        // of squares travels with the chunk, its sign bit set when the chunk's updated parameters are not all finite
        double[] squares = run.mesh.allGatherSplit(params, weights32, w, vec, n, t, chunkFinite ? ss : -ss);
        long c4 = System.nanoTime();
        if ((long) vec[w + 1] != rows) {
            throw new IllegalStateException("allreduce: step " + step + " summed " + (long) vec[w + 1]
                    + " rows, the batch plan says " + rows);
        }
        double sumSq = 0;
        boolean paramsFinite = true;
        for (double q : squares) {
            if (Double.doubleToRawLongBits(q) < 0) { // a flagged chunk: -(-ss) is ss, bit for bit
                paramsFinite = false;
                q = -q;
            }
            sumSq += q;
        }
        double loss = vec[w] * inv;
        double norm = Math.sqrt(sumSq);
        MiniBatchUpdate.Status status = status(loss, norm, paramsFinite);
        long c5 = System.nanoTime();
        MiniBatchUpdate.Outcome o = new MiniBatchUpdate.Outcome(loss, norm, run.opt.learningRate(t), status);
        // wall = compute + both exchange halves; update = the owner's range update + the finiteness checks
        return new SynchronousSteps.StepDone(o, rows, (c2 - c0) + (c4 - c3), (c3 - c2) + (c5 - c4));
    }

    /**
     * NaN norm = some gradient entry is not finite (as the driver's dnrm2 check); +Inf alone is only an overflow of
     * the plain sum of squares of a finite gradient, which the other engines would carry on with. Then non-finite
     * parameters, as every owner found them in its chunk (together: every parameter, checked once instead of by
     * every rank). A sum of squares from 0.0 never has its sign bit set, except a NaN, which stops the step first.
     */
    private static MiniBatchUpdate.Status status(double loss, double norm, boolean paramsFinite) {
        if (!Double.isFinite(loss) || Double.isNaN(norm)) return MiniBatchUpdate.Status.NON_FINITE_LOSS;
        return paramsFinite ? MiniBatchUpdate.Status.OK : MiniBatchUpdate.Status.NON_FINITE_PARAMS;
    }

    /** Whether {@code p[lo, hi)} are all finite. */
    private static boolean finite(double[] p, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            if (!Double.isFinite(p[i])) return false;
        }
        return true;
    }

    /** Rows of step {@code step} over all partitions (every rank knows every partition's size). */
    private long globalRows(int step) {
        long rows = 0;
        BatchPlan plan = run.setup.plan();
        for (long n : run.setup.partitionRows()) rows += plan.sliceEnd(step, (int) n) - plan.sliceStart(step, (int) n);
        return rows;
    }

    /**
     * An owner's sum of squares that is not finite: NaN if some gradient entry of its range is NaN or infinite
     * (the step must stop, as on the other engines), else the overflowed +Inf (a finite gradient beyond 1e154).
     */
    private double nonFiniteMarker(double ss, double inv) {
        for (int i = lo; i < hi; i++) {
            if (!Double.isFinite(vec[i] * inv)) return Double.NaN; // the gradient entry, as the update computed it
        }
        return ss;
    }

    /** Every rank holds valid optimizer state only in its own range; gather it (copies, no sums). */
    void gatherState() throws IOException {
        int w = grad.length;
        double[] tmp = new double[vec.length];
        double[][] states = run.opt.stateArrays();
        for (int a = 0; a < states.length; a++) {
            System.arraycopy(states[a], 0, tmp, 0, w);
            run.mesh.allGather(tmp, tmp.length, Long.MIN_VALUE + a, 0.0); // tags apart from every step's
            System.arraycopy(tmp, 0, states[a], 0, w);
        }
    }
}
