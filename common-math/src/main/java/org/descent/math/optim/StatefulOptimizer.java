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

    /** Checks as {@link #stepRange} does, then {@link #updateScaled}: one pass where the rule folds the scaling. */
    @Override
    public final double stepRangeScaled(double[] params, double[] sums, double scale, double[] grad, long stepIndex,
                                        int from, int to) {
        OptimizerSupport.checkStep(name, size, params, grad, stepIndex);
        if (from < 0 || to > size || from > to || sums.length < to) {
            throw new IllegalArgumentException(name + ".stepRangeScaled: [" + from + ", " + to + ") is not within [0, "
                    + size + ") and " + sums.length + " sums");
        }
        double ss = updateScaled(params, sums, scale, grad, schedule.rate(stepIndex), from, to);
        steps++;
        return ss;
    }

    /**
     * {@link #update} on {@code g_i = sums[i] * scale}, returning {@code sum g_i^2} (ascending from 0.0); by default
     * two passes via {@code grad}. A rule that overrides it must keep the same operations per entry in the same order.
     */
    double updateScaled(double[] params, double[] sums, double scale, double[] grad, double lr, int from, int to) {
        double ss = OptimizerSupport.scaleInto(sums, scale, grad, from, to);
        update(params, grad, lr, from, to);
        return ss;
    }

    /**
     * One entry's update with gradient {@code g}: the same arithmetic as {@link #update} gives entry {@code i}. Only
     * rules that keep zero-gradient entries ({@link #zeroGradientKeepsEntries}) implement it.
     */
    void updateOne(double[] params, int i, double g, double lr) {
        throw new UnsupportedOperationException(name + " has no single-entry update");
    }

    @Override
    public final boolean rowStepApplies(long stepIndex) {
        double lr = schedule.rate(stepIndex);
        return zeroGradientKeepsEntries() && Double.isFinite(lr) && Double.compare(lr, 0.0) >= 0;
    }

    @Override
    public final boolean stepRowValues(double[] params, double[] values, long stepIndex, int d, int k, int[] rows,
                                       int count, int from, int to, boolean tail) {
        if (!zeroGradientKeepsEntries()) {
            return Optimizer.super.stepRowValues(params, values, stepIndex, d, k, rows, count, from, to, tail);
        }
        if (!rowStepApplies(stepIndex)) {
            throw new IllegalStateException(name + ": rate " + schedule.rate(stepIndex) + " at step " + stepIndex
                    + " needs the whole update (see rowStepApplies)");
        }
        OptimizerSupport.checkRestore(name, size);
        int dk = d * k;
        int tailEnd = tail ? size : dk;
        if (d < 0 || k < 0 || size - dk < 0 || params.length != size || count < 0 || count > rows.length
                || from < 0 || to > count || from > to || values.length < (long) count * k + (size - dk)) {
            throw new IllegalArgumentException(name + ".stepRowValues: rows [" + from + ", " + to + ") of " + count
                    + " of a " + d + " x " + k + " block in " + size + " parameters, " + values.length + " values");
        }
        for (int l = from; l < to; l++) {
            if (rows[l] < 0 || rows[l] >= d) throw new IllegalArgumentException(name + ".stepRowValues: row " + rows[l]);
        }
        double lr = schedule.rate(stepIndex);
        boolean finite = true;
        for (int j = 0, col = 0; j < k; j++, col += d) { // column by column: ascending addresses in params and state
            for (int l = from, at = from * k + j; l < to; l++, at += k) {
                int i = rows[l] + col;
                updateOne(params, i, values[at], lr);
                finite &= Double.isFinite(params[i]);
            }
        }
        for (int i = dk, at = count * k; i < tailEnd; i++, at++) {
            updateOne(params, i, values[at], lr);
            finite &= Double.isFinite(params[i]);
        }
        steps++;
        return finite;
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

    /** As {@code init(layout); restoreState(bytes)}, without the zero arrays the restore would replace. */
    @Override
    public final void init(ParameterLayout layout, byte[] bytes) {
        int n = layout.size();
        int[] lengths = new int[stateArrays];
        Arrays.fill(lengths, n);
        OptimizerState.Decoded d = OptimizerState.read(bytes, name, hyperNames, hyper(), lengths);
        adopt(layout, d.steps(), d.arrays());
    }

    /**
     * As {@code init(layout, source.saveState())}: a copy of {@code source}'s step count and state arrays when it is
     * the same rule with bitwise the same hyper-parameters and the layout's size; anything else goes through the
     * bytes, whose checks name the mismatch.
     */
    @Override
    public final void init(ParameterLayout layout, Optimizer source) {
        if (source instanceof StatefulOptimizer s && sameRule(s, layout.size())) {
            double[][] copy = new double[stateArrays][];
            for (int k = 0; k < stateArrays; k++) copy[k] = OptimizerState.copy(s.state[k]);
            adopt(layout, s.steps, copy);
        } else {
            init(layout, source.saveState());
        }
    }

    /**
     * Takes {@code source}'s step count and state arrays themselves when it is the same rule with bitwise the same
     * hyper-parameters and this optimizer's size; anything else goes through the bytes, whose checks name the
     * mismatch. Validates before adopting anything.
     */
    @Override
    public final void restoreFrom(Optimizer source) {
        OptimizerSupport.checkRestore(name, size);
        if (source instanceof StatefulOptimizer s && s != this && sameRule(s, size)) {
            state = s.state;
            steps = s.steps;
        } else {
            restoreState(source.saveState());
        }
    }

    /** As {@link #init(ParameterLayout, Optimizer)} with {@code arrays} as the state arrays themselves. */
    @Override
    public final void initShared(ParameterLayout layout, Optimizer source, double[][] arrays) {
        if (!(source instanceof StatefulOptimizer s && sameRule(s, layout.size()))) {
            throw new IllegalArgumentException(name + ".initShared: the source " + source + " is not this rule with "
                    + "the same hyper-parameters and " + layout.size() + " parameters");
        }
        if (arrays.length != stateArrays) {
            throw new IllegalArgumentException(name + ".initShared: " + arrays.length + " state arrays, the rule keeps "
                    + stateArrays);
        }
        for (double[] a : arrays) {
            if (a.length != layout.size()) {
                throw new IllegalArgumentException(name + ".initShared: a state array of " + a.length + " for "
                        + layout.size() + " parameters");
            }
        }
        adopt(layout, s.steps, arrays);
    }

    private void adopt(ParameterLayout layout, long restoredSteps, double[][] arrays) {
        size = layout.size();
        state = arrays;
        initLayout(layout);
        steps = restoredSteps;
    }

    /**
     * Whether {@code s} is this rule with bitwise the same hyper-parameters, as many state arrays and {@code n}
     * parameters: its state can be taken as it is (copied, adopted or shared) without the bytes' checks.
     */
    private boolean sameRule(StatefulOptimizer s, int n) {
        return s.name.equals(name) && s.size == n && s.stateArrays == stateArrays && sameBits(s.hyper(), hyper());
    }

    private static boolean sameBits(double[] a, double[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) {
            if (Double.doubleToLongBits(a[i]) != Double.doubleToLongBits(b[i])) return false;
        }
        return true;
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
