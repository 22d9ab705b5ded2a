package org.descent.job.exchange;

import java.io.Serializable;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The start state of an allreduce segment's tasks, {@code {DoubleBytes of the parameters, Optimizer.saveState()}}
 * ({@link SegmentRun}): a Spark broadcast, or, when the tasks run in the driver's JVM (local mode), the driver's
 * arrays themselves, which the tasks look up here by key. Why (issue 12): a broadcast serialises, compresses and
 * stores the whole state in the block manager before the job starts, 0.2-0.7 s for the 2M-parameter softmax with
 * Adagrad state of the text benchmark (32 MB), of an epoch of 0.2-0.4 s; in one JVM nothing needs to move. The tasks
 * read the same bytes either way, so the segment's bits are the same ({@link org.descent.job.score.Scorer} does the
 * same for a validation pass's parameters).
 *
 * <p>Call order: {@link #of} on the driver before the job, {@link #value} in the tasks (any number of times, also in a
 * re-run of the same attempt's state), {@link #destroy} on the driver once no job will read it.
 */
final class SegmentStart implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The start states of the segments running now in this JVM (local mode), by key. */
    private static final ConcurrentHashMap<String, byte[][]> IN_JVM = new ConcurrentHashMap<>();

    private final Broadcast<byte[][]> broadcast;
    private final String key;

    private SegmentStart(Broadcast<byte[][]> broadcast, String key) {
        this.broadcast = broadcast;
        this.key = key;
    }

    /** The state for the next segment's tasks: kept in this JVM in local mode, else broadcast. */
    static SegmentStart of(JavaSparkContext jsc, byte[][] state) {
        if (jsc.sc().isLocal()) {
            String key = "descent-start-" + UUID.randomUUID();
            IN_JVM.put(key, state);
            return new SegmentStart(null, key);
        }
        return new SegmentStart(jsc.broadcast(state), null);
    }

    /** The state (do not change it: every task, and every re-run from it, reads the same arrays). */
    byte[][] value() {
        if (broadcast != null) return broadcast.value();
        byte[][] state = IN_JVM.get(key);
        if (state == null) {
            throw new IllegalStateException("allreduce: the segment's start state " + key + " is not in this JVM (a "
                    + "local-mode state read by a task in another JVM, or read after the driver released it)");
        }
        return state;
    }

    /** Releases the state (the broadcast's blocks, or the in-JVM reference). */
    void destroy() {
        if (broadcast != null) broadcast.destroy();
        else IN_JVM.remove(key);
    }
}
