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
     * The live per-parameter state arrays (moments, accumulators; each of the layout's length, none for plain SGD),
     * for model averaging (local SGD averages them across workers). Valid after {@link #init}; a restore replaces
     * them, so fetch again after {@link #restoreState}.
     */
    double[][] stateArrays();

    /** Short name for logs, e.g. "adam". */
    String name();
}
