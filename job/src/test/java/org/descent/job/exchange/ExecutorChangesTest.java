package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ExecutorChanges}: the wait for task slots ends when Spark's listener bus delivers an executor change, and at
 * the deadline without one (no polling). The lost-executor re-runs that use it are {@code LostBlocksTest}'s.
 */
class ExecutorChangesTest {
    private static SparkContext sc;

    @BeforeAll
    static void spark() {
        sc = TestSpark.session().sparkContext();
    }

    @Test
    void givenAContext_whenAskedTwice_thenOneListener() {
        assertSame(ExecutorChanges.of(sc), ExecutorChanges.of(sc));
    }

    @Test
    void givenAWaitingThread_whenTheBusDeliversAnExecutorRemoval_thenTheWaitEndsWithAChange() {
        ExecutorChanges changes = ExecutorChanges.of(sc);
        long seen = changes.version();
        sc.listenerBus().post(new SparkListenerExecutorRemoved(System.currentTimeMillis(), "test-executor", "test"));
        assertTrue(changes.awaitChange(seen, System.currentTimeMillis() + 60_000, "executors"),
                "the listener bus's event ends the wait before its deadline");
        assertTrue(changes.version() > seen);
    }

    @Test
    void givenNoExecutorChange_whenWaiting_thenTheWaitEndsAtTheDeadlineWithoutAChange() {
        ExecutorChanges changes = ExecutorChanges.of(sc);
        long seen = changes.version();
        assertFalse(changes.awaitChange(seen, System.currentTimeMillis() + 200, "executors"));
    }

    @Test
    void givenNoExecutorChangeAndAFarDeadline_whenWaiting_thenTheWaitReturnsForARecheckLongBeforeIt() {
        ExecutorChanges changes = ExecutorChanges.of(sc);
        long seen = changes.version();
        long t0 = System.currentTimeMillis();
        assertFalse(changes.awaitChange(seen, t0 + 600_000, "executors"));
        long waited = System.currentTimeMillis() - t0;
        // a lagging or full listener queue must not hold the caller to its deadline: it re-reads the slots each second
        assertTrue(waited >= ExecutorChanges.RECHECK_MILLIS - 50 && waited < 60_000, "waited " + waited + " ms");
    }
}
