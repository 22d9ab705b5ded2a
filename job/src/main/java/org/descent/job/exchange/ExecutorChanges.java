package org.descent.job.exchange;

import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;

/**
 * A count of the executors added to and removed from an application (a {@link SparkListener}, one per
 * {@link SparkContext}), so that a driver thread that waits for task slots ({@link StepEngines}, a re-run's
 * {@link AllReduceEngine}) wakes when the executors change, or at its deadline, instead of polling with sleeps.
 *
 * <p>Call order: {@link #of} (registers the listener once per context), {@link #version} before reading the slot
 * count ({@link StepEngines#taskSlots}), then {@link #awaitChange} with that version: a change between the two reads
 * makes the wait return at once, so none is missed. Spark's scheduler backend records an executor before it posts the
 * event, so the slot count read after a wake-up already includes it.
 */
final class ExecutorChanges extends SparkListener {
    private static final Map<SparkContext, ExecutorChanges> BY_CONTEXT = new WeakHashMap<>();

    /** The longest a wait lasts without an event before its caller re-reads the slot count. */
    static final long RECHECK_MILLIS = 1_000;

    private long version;

    private ExecutorChanges() {}

    /** The listener of {@code sc}, registered on first use. */
    static ExecutorChanges of(SparkContext sc) {
        synchronized (BY_CONTEXT) {
            return BY_CONTEXT.computeIfAbsent(sc, c -> {
                ExecutorChanges changes = new ExecutorChanges();
                c.addSparkListener(changes);
                return changes;
            });
        }
    }

    /** How many executor additions and removals this listener has seen. */
    synchronized long version() {
        return version;
    }

    /**
     * Waits until the version is no longer {@code seen}, the wall clock reaches {@code deadlineMillis}
     * ({@link System#currentTimeMillis}) or {@link #RECHECK_MILLIS} have passed; returns whether it changed. The
     * callers loop to their deadline and re-read the slot count after each return: the listener's events come through
     * Spark's shared listener queue, which can lag seconds behind a many-task job or drop events when full, and an
     * executor that disconnects leaves the slot count before its removal is posted, so an event alone must not be
     * the only way a wait notices the slots.
     *
     * @param what what the caller waits for, for the error when the thread is interrupted
     */
    synchronized boolean awaitChange(long seen, long deadlineMillis, String what) {
        long until = Math.min(deadlineMillis, System.currentTimeMillis() + RECHECK_MILLIS);
        long left;
        while (version == seen && (left = until - System.currentTimeMillis()) > 0) {
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
        return version != seen;
    }

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded event) {
        changed();
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
        changed();
    }

    private synchronized void changed() {
        version++;
        notifyAll();
    }
}
