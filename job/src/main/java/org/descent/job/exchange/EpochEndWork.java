package org.descent.job.exchange;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Work the ranks of an {@link AllReduceEngine} run do at the end of every complete epoch when they run in the
 * driver's JVM (local mode): a training run's validation ({@code score.HeldValidation}), registered by the driver
 * under the engine's run id ({@link AllReduceEngine#scoreAtEpochEnds}). Issue 17: the ranks hold the epoch-end
 * parameters and the cores, so the validation pass needs no Spark job, no parameter copy and no thread that competes
 * with them; in cluster mode nothing is registered in the executors' JVMs and the driver validates as before.
 *
 * <p>Call order ({@link SegmentTask}): after an epoch's last step and before the next epoch's first (and before rank 0
 * streams the epoch's end state or returns its result), every rank calls {@link #score}; it returns once every rank's
 * share is done, so the driver finds the figures when the epoch end reaches it and no rank spins in the next epoch's
 * first exchange while the others still score.
 */
public final class EpochEndWork {
    /** The scoring of one run's ranks, by the engine's run id. */
    private static final ConcurrentHashMap<String, Scoring> BY_RUN = new ConcurrentHashMap<>();

    private EpochEndWork() {}

    /** A run's epoch-end scoring, called by every rank in the driver's JVM. */
    @FunctionalInterface
    public interface Scoring {
        /**
         * Scores rank {@code rank}'s share (of {@code ranks}) of the validation set at the end of {@code epoch} with
         * {@code params} (this rank's copy: all ranks hold the same bits; read only), then waits for the other ranks'
         * shares, giving up when {@code cancelled} turns true (the barrier stage failed or was cancelled).
         */
        void score(int epoch, int rank, int ranks, double[] params, BooleanSupplier cancelled);
    }

    static void register(String runId, Scoring s) {
        BY_RUN.put(runId, s);
    }

    static void remove(String runId) {
        BY_RUN.remove(runId);
    }

    /** Runs the registered scoring of {@code runId} (a no-op when there is none in this JVM, e.g. on an executor). */
    static void atEpochEnd(String runId, int epoch, int rank, int ranks, double[] params, BooleanSupplier cancelled) {
        Scoring s = BY_RUN.get(runId);
        if (s != null) s.score(epoch, rank, ranks, params, cancelled);
    }
}
