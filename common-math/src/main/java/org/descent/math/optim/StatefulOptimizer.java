package org.descent.math.optim;

import java.util.Arrays;
import org.descent.math.nn.ParameterLayout;

/**
 * The bookkeeping every {@link Optimizer} here shares, so that a concrete optimizer holds only its
 * constructor validation, its hyper-parameters and its update loop. This class owns:
 *
 * <ul>
 *   <li>the {@link LearningRateSchedule} ({@link #learningRate(long)});</li>
 *   <li>the model size and a fixed number of per-parameter state arrays (moments, accumulators),
 *       allocated as zeros by {@link #init(ParameterLayout)} and reached with {@link #state(int)};</li>
 *   <li>the count of steps taken ({@link #steps()}), which {@link #step} advances after each update;</li>
 *   <li>{@link #saveState()} / {@link #restoreState(byte[])} in the {@link OptimizerState} format:
 *       name, {@link #hyper()} in {@link #hyperNames} order, step count, then the state arrays in
 *       index order;</li>
 *   <li>{@link #name()} and {@link #toString()} ({@code SimpleClassName[h1=..., h2=...]}).</li>
 * </ul>
 *
 * <p>Call order, as in {@link Optimizer}: {@code init(layout)} once, then {@code step(params, grad,
 * t)}. Each {@code step} checks the buffers ({@link OptimizerSupport#checkStep}), asks the schedule
 * for {@code lr = rate(t)}, calls {@link #update(double[], double[], double)} and then counts the
 * step; so inside {@code update}, {@link #steps()} is the number of <em>earlier</em> steps (Adam's
 * bias-correction exponent is {@code steps() + 1}).
 *
 * <p>A restore replaces the state arrays with fresh ones, so {@code update} must fetch them with
 * {@link #state(int)} on every call rather than keep references. A single level of inheritance
 * only: the subclasses are final.
 */
abstract class StatefulOptimizer implements Optimizer {
    private final String name;
    private final LearningRateSchedule schedule;
    private final String[] hyperNames;
    private final int stateArrays;
    private int size = -1;
    private long steps;
    private double[][] state;

    /**
     * @param name        short name, written into the saved state and checked on restore
     * @param schedule    learning-rate schedule (checked non-null first, before any hyper-parameter)
     * @param hyperNames  names of the values {@link #hyper()} returns, in the same order
     * @param stateArrays how many per-parameter arrays of length {@code layout.size()} to keep
     */
    StatefulOptimizer(String name, LearningRateSchedule schedule, String[] hyperNames, int stateArrays) {
        this.name = name;
        this.schedule = OptimizerSupport.requireSchedule(schedule);
        this.hyperNames = hyperNames;
        this.stateArrays = stateArrays;
    }

    /**
     * Applies one update in place to entries {@code [from, to)}, for the current step and rate {@code lr}.
     * {@code params} and {@code grad} have already been checked to have the layout's length. Elementwise: the
     * entries of a range get exactly the bits they get in a whole-array update.
     */
    abstract void update(double[] params, double[] grad, double lr, int from, int to);

    /**
     * Hyper-parameter values in {@code hyperNames} order (booleans as 1/0). They are saved with the
     * state and must match bit for bit on restore.
     */
    abstract double[] hyper();

    /** Hook for per-layout setup beyond the state arrays (e.g. a bias mask); default none. */
    void initLayout(ParameterLayout layout) {}

    @Override
    public final void init(ParameterLayout layout) {
        size = layout.size();
        state = new double[stateArrays][size];
        initLayout(layout);
        steps = 0;
    }

    @Override
    public final void step(double[] params, double[] grad, long stepIndex) {
        OptimizerSupport.checkStep(name, size, params, grad, stepIndex);
        update(params, grad, schedule.rate(stepIndex), 0, size);
        steps++;
    }

    @Override
    public final void stepRange(double[] params, double[] grad, long stepIndex, int from, int to) {
        OptimizerSupport.checkStep(name, size, params, grad, stepIndex);
        if (from < 0 || to > size || from > to) {
            throw new IllegalArgumentException(name + ".stepRange: [" + from + ", " + to + ") is not within [0, " + size + ")");
        }
        update(params, grad, schedule.rate(stepIndex), from, to);
        steps++;
    }

    @Override
    public final boolean stepRows(double[] params, double[] grad, long stepIndex, int d, int k, int[] rows, int count) {
        if (!zeroGradientKeepsEntries()) return Optimizer.super.stepRows(params, grad, stepIndex, d, k, rows, count);
        OptimizerSupport.checkStep(name, size, params, grad, stepIndex);
        long dk = (long) d * k;
        if (d < 0 || k < 0 || dk > size || count < 0 || count > rows.length) {
            throw new IllegalArgumentException(name + ".stepRows: " + count + " rows of a " + d + " x " + k
                    + " block in " + size + " parameters");
        }
        double lr = schedule.rate(stepIndex);
        // lr * (+0.0) is +0.0 only for a finite lr >= +0.0 (a negative or -0.0 rate gives -0.0, which turns a -0.0
        // weight into +0.0; an infinite one gives NaN): otherwise the whole update
        boolean rowsOnly = Double.isFinite(lr) && Double.compare(lr, 0.0) >= 0;
        if (rowsOnly) {
            for (int l = 0; l < count; l++) {
                if (rows[l] < 0 || rows[l] >= d) {
                    throw new IllegalArgumentException(name + ".stepRows: row " + rows[l] + " of " + d);
                }
            }
            for (int j = 0, col = 0; j < k; j++, col += d) { // column by column: ascending addresses
                for (int l = 0; l < count; l++) update(params, grad, lr, rows[l] + col, rows[l] + col + 1);
            }
            update(params, grad, lr, (int) dk, size);
        } else {
            update(params, grad, lr, 0, size);
        }
        steps++;
        return rowsOnly;
    }

    @Override
    public final void skipStep(long stepIndex) {
        if (stepIndex < 0) throw new IllegalArgumentException(name + ": step index must be >= 0, got " + stepIndex);
        steps++;
    }

    @Override
    public final double learningRate(long stepIndex) {
        return schedule.rate(stepIndex);
    }

    @Override
    public final byte[] saveState() {
        OptimizerSupport.checkRestore(name, size);
        return OptimizerState.write(name, hyper(), steps, state);
    }

    /** Validates everything before adopting anything: a refused state leaves this optimizer as it was. */
    @Override
    public final void restoreState(byte[] bytes) {
        OptimizerSupport.checkRestore(name, size);
        int[] lengths = new int[stateArrays];
        Arrays.fill(lengths, size);
        OptimizerState.Decoded d = OptimizerState.read(bytes, name, hyperNames, hyper(), lengths);
        state = d.arrays();
        steps = d.steps();
    }

    @Override
    public final double[][] stateArrays() {
        OptimizerSupport.checkRestore(name, size);
        return state;
    }

    /** Steps taken since {@link #init} (or as restored). */
    final long steps() {
        return steps;
    }

    /** State array {@code k} (the live buffer, length = model size), or null before {@link #init}. */
    final double[] state(int k) {
        return state == null ? null : state[k];
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "[" + OptimizerState.hyperString(hyperNames, hyper()) + "]";
    }
}
