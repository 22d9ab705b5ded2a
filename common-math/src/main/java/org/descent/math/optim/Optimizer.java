package org.descent.math.optim;

import org.descent.math.nn.ParameterLayout;

/**
 * API CONTRACT: an update rule that owns its state (moments, accumulators) and updates the flat
 * parameter buffer in place from the flat gradient (same layout). Call order:
 * {@code init(layout)} once, then {@code step(params, grad, t)} for t = 0, 1, 2, ...; the learning
 * rate for step t comes from the optimizer's {@link LearningRateSchedule}. The gradient passed in
 * is final (regularisation and clipping already applied by the caller).
 *
 * <p>{@link #saveState()} / {@link #restoreState(byte[])} round-trip to a bit-identical optimizer.
 */
public interface Optimizer {
    void init(ParameterLayout layout);

    void step(double[] params, double[] grad, long stepIndex);

    /**
     * Step {@code stepIndex} on entries {@code [from, to)} only (params and state; {@code grad} is read there only):
     * a sharded update, where each of P workers owns one range. Counts as one step, like {@link #step}; every
     * update rule here is elementwise, so the entries of a range get exactly the bits a whole-array step gives.
     */
    void stepRange(double[] params, double[] grad, long stepIndex, int from, int to);

    /**
     * {@link #stepRange} on the gradient {@code g_i = sums[i] * scale} (a sharded step's rank-order sums over its
     * rows): returns {@code sum g_i^2} over {@code [from, to)}, added in ascending {@code i} from 0.0. Every entry
     * and the sum get exactly the bits of the separate passes {@code grad[i] = sums[i] * scale; ss += grad[i] *
     * grad[i]} then {@code stepRange(params, grad, ...)}, which is what this default does ({@code grad} is scratch
     * of the layout's length; an update rule may fold the scaling into its own loop and leave it unwritten).
     */
    default double stepRangeScaled(double[] params, double[] sums, double scale, double[] grad, long stepIndex,
                                   int from, int to) {
        double ss = OptimizerSupport.scaleInto(sums, scale, grad, from, to);
        stepRange(params, grad, stepIndex, from, to);
        return ss;
    }

    /**
     * Counts step {@code stepIndex} without touching parameters or state: a worker that has no rows for a step
     * (local SGD over an uneven partition) keeps its step count, and so Adam's bias correction, in line with the
     * workers that stepped.
     */
    void skipStep(long stepIndex);

    /** Learning rate the schedule gives for {@code stepIndex} (for progress and metrics). */
    double learningRate(long stepIndex);

    byte[] saveState();

    void restoreState(byte[] state);

    /**
     * {@code init(layout)} then {@code restoreState(state)}, the same optimizer bit for bit; an update rule may skip
     * the zero state arrays {@code init} allocates only for the restore to replace them (issue 12: 16 MB per rank for
     * the 2M-parameter Adagrad of the text benchmark at every allreduce segment start).
     */
    default void init(ParameterLayout layout, byte[] state) {
        init(layout);
        restoreState(state);
    }

    /**
     * {@code init(layout)} then {@code restoreState(source.saveState())}, the same optimizer bit for bit, where
     * {@code source} is an initialised optimizer in this JVM; an update rule may copy {@code source}'s step count
     * and state arrays directly instead of encoding and decoding them (issue 12: a local-mode allreduce rank starts
     * from the driver's optimizer). {@code source} is only read.
     */
    default void init(ParameterLayout layout, Optimizer source) {
        init(layout, source.saveState());
    }

    /**
     * As {@link #restoreState restoreState(source.saveState())}, the same optimizer bit for bit, where {@code source}
     * is an initialised optimizer in this JVM that nothing uses afterwards (a detached copy): an update rule may take
     * its step count and state arrays themselves instead of encoding and decoding them (issue 12: the epoch-end state
     * a local-mode allreduce rank hands to the driver, 16 MB of Adagrad state for the text benchmark).
     */
    default void restoreFrom(Optimizer source) {
        restoreState(source.saveState());
    }

    /**
     * The live per-parameter state arrays (moments, accumulators; each of the layout's length, none for plain SGD),
     * for model averaging (local SGD averages them across workers). Valid after {@link #init}; a restore replaces
     * them, so fetch again after {@link #restoreState}.
     */
    double[][] stateArrays();

    /** Short name for logs, e.g. "adam". */
    String name();

    /**
     * True when this rule leaves an entry and its state exactly as they were (bit for bit) when the entry's gradient is
     * exactly {@code +0.0} and the learning rate is finite and {@code >= +0.0}: then {@link #stepRows} gives the bits of
     * {@link #step}. Plain SGD ({@code w -= lr g}) and Adagrad ({@code G += g^2; w -= lr g / (sqrt(G) + eps)}) do;
     * momentum, Nesterov, RMSProp and Adam do not (their moments decay or move the weights without a gradient).
     */
    default boolean zeroGradientKeepsEntries() {
        return false;
    }

    /**
     * Whether {@link #stepRowValues} may run for step {@code stepIndex}: the rule keeps zero-gradient entries
     * ({@link #zeroGradientKeepsEntries}) and the rate is finite and {@code >= +0.0} ({@code lr * (+0.0)} is then
     * +0.0; a negative or -0.0 rate would turn a -0.0 weight into +0.0, an infinite one gives NaN).
     */
    default boolean rowStepApplies(long stepIndex) {
        return false;
    }

    /**
     * Step {@code stepIndex} on the rows {@code rows[0..count)} (ascending, distinct) of the first block ({@code W_1},
     * {@code d x k} column-major at offset 0) and on every entry after it (the tail), for a gradient that is exactly
     * +0.0 in all other rows of {@code W_1}: {@code values} holds row {@code l}'s gradient at {@code l k + j} and the
     * tail's from {@code count k} on. Counts as one step; where {@link #rowStepApplies} holds, every entry gets the
     * bits {@link #step} gives it. Returns whether every updated parameter is finite.
     *
     * @throws UnsupportedOperationException for a rule that moves entries without a gradient
     */
    default boolean stepRowValues(double[] params, double[] values, long stepIndex, int d, int k, int[] rows,
                                  int count) {
        return stepRowValues(params, values, stepIndex, d, k, rows, count, 0, count, true);
    }

    /**
     * As {@link #stepRowValues(double[], double[], long, int, int, int[], int)} on rows {@code rows[from..to)} of the
     * {@code count} only, and on the tail when {@code tail}: the part of the step that one of several optimizers
     * sharing their state arrays ({@link #initShared}) takes, the others taking the rest; each entry gets the bits the
     * whole row step gives it. Counts as one step of this optimizer. Returns whether every updated parameter is finite.
     *
     * @throws UnsupportedOperationException for a rule that moves entries without a gradient
     */
    default boolean stepRowValues(double[] params, double[] values, long stepIndex, int d, int k, int[] rows,
                                  int count, int from, int to, boolean tail) {
        throw new UnsupportedOperationException(name() + " changes weights whose gradient is zero (moments): "
                + "it needs the whole update");
    }

    /**
     * As {@link #init(ParameterLayout, Optimizer)}, except that this optimizer's state arrays ARE {@code arrays} (one
     * per {@link #stateArrays()} of {@code source}, each of the layout's length), not copies: the caller fills them
     * with {@code source}'s state. Several optimizers that share the arrays (and a parameter array) each step disjoint
     * entries ({@link #stepRowValues(double[], double[], long, int, int, int[], int, int, int, boolean)}), the
     * caller ordering their steps with barriers (issue 12: the in-JVM ranks of a sparse allreduce hold one copy of the
     * parameters and the Adagrad state instead of one each). A later restore replaces the arrays (ends the sharing).
     *
     * @throws IllegalArgumentException when {@code source} is not the same rule with the same hyper-parameters, or
     *                                  the arrays do not fit
     */
    default void initShared(ParameterLayout layout, Optimizer source, double[][] arrays) {
        throw new UnsupportedOperationException(name() + " cannot share its state arrays");
    }
}
