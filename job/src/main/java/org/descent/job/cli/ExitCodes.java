package org.descent.job.cli;

/**
 * Process exit codes of every subcommand:
 * <ul>
 *   <li>{@value #OK} — success;</li>
 *   <li>{@value #USAGE} — configuration or usage error (unknown option or key, bad value, output exists),
 *       found before Spark starts;</li>
 *   <li>{@value #DATA} — data/input error (missing or malformed input, counts that do not fit the model);</li>
 *   <li>{@value #TRAINING} — run failure: training diverged, a Spark step failed, an output (model, model
 *       store, converted data) could not be written, or an unexpected internal error (one line on the
 *       console, the stack trace in the log file);</li>
 *   <li>{@value #GRADCHECK} — {@code gradcheck} only: an analytic gradient differs from central differences
 *       by more than the threshold;</li>
 *   <li>{@value #GATE_REJECTED} — {@code publish}: the candidate is worse than the current model by more than
 *       the tolerance; nothing was changed (a successful run, not an error);</li>
 *   <li>{@value #ALREADY_PUBLISHED} — {@code publish}: this version is already in the store with identical
 *       parameters and is current; nothing was changed.</li>
 * </ul>
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int DATA = 3;
    public static final int TRAINING = 4;
    public static final int GRADCHECK = 5;
    public static final int GATE_REJECTED = 10;
    public static final int ALREADY_PUBLISHED = 11;

    private ExitCodes() {}
}
