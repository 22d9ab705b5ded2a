package org.descent.job.fault;

/**
 * The job's one test seam: named points where a test may inject a fault or observe progress. Production code calls
 * {@link #hooks()} at those points; the installed {@link Hooks} are a no-op unless a test (or a test's main class in a
 * child JVM) calls {@link #install}. The hooks live in this JVM only: nothing is shipped to executors or threaded
 * through the engines' records, so in local mode (executors in the driver's JVM) executor-side points see them, on a
 * cluster they stay no-ops.
 *
 * <p>Points, in call order of a run: {@link Hooks#beforeSegmentStep} (executor, allreduce segment task, before each
 * step), {@link Hooks#checkpointStaged} (driver, a checkpoint's files are complete in its temp directory, before the
 * rename), {@link Hooks#checkpointWritten} (driver, after the rename).
 */
public final class Faults {
    /** What a test can hook. Every method defaults to doing nothing. */
    public interface Hooks {
        /** Allreduce task of {@code partition} is about to run global step {@code globalStep}; may throw. */
        default void beforeSegmentStep(int partition, long globalStep) {}

        /** Checkpoint {@code name} is complete in its temp directory, not yet renamed to its final name. */
        default void checkpointStaged(String name) {}

        /** Checkpoint {@code name} has been renamed into place. */
        default void checkpointWritten(String name) {}
    }

    private static final Hooks NONE = new Hooks() {};
    private static volatile Hooks current = NONE;

    private Faults() {}

    /** The installed hooks (a no-op unless a test installed some). */
    public static Hooks hooks() {
        return current;
    }

    /** Installs {@code h} for this JVM until the returned handle is closed. */
    public static Installed install(Hooks h) {
        current = h;
        return () -> current = NONE;
    }

    /** Restores the no-op hooks on close. */
    @FunctionalInterface
    public interface Installed extends AutoCloseable {
        @Override
        void close();
    }
}
