package org.descent.job.cli;

/**
 * Process exit codes of every subcommand:
 * <ul>
 *   <li>{@value #OK} — success;</li>
 *   <li>{@value #USAGE} — configuration or usage error (unknown option or key, bad value, output exists),
 *       found before Spark starts;</li>
 *   <li>{@value #DATA} — data/input error (missing or malformed input, counts that do not fit the model);</li>
 *   <li>{@value #TRAINING} — training failure (divergence, failed Spark step, model could not be written);</li>
 *   <li>{@value #GRADCHECK} — {@code gradcheck} only: an analytic gradient differs from central differences
 *       by more than the threshold.</li>
 * </ul>
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int DATA = 3;
    public static final int TRAINING = 4;
    public static final int GRADCHECK = 5;

    private ExitCodes() {}
}
