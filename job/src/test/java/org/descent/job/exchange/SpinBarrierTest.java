package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SpinBarrier} on real threads: parties that only park (no spin) and parties that spin first both see every
 * write the others made before the same round's {@code await}, round after round; a broken barrier releases waiters.
 */
class SpinBarrierTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, SpinBarrier.SPIN_NANOS})
    void givenThreeParties_whenTheyMeetTwoThousandTimes_thenEachSeesEveryPartysWriteOfThatRound(long spinNanos)
            throws Exception {
        int parties = 3;
        int rounds = 2000;
        SpinBarrier barrier = new SpinBarrier(parties, spinNanos);
        long[][] slots = new long[2][parties]; // plain fields: the barrier must publish them; by parity, as LocalHub
        List<Future<Long>> done = new ArrayList<>();
        for (int p = 0; p < parties; p++) {
            int party = p;
            done.add(pool.submit(() -> {
                long wrong = 0;
                for (int round = 0; round < rounds; round++) {
                    slots[round & 1][party] = round;
                    if (!barrier.await(party)) throw new IllegalStateException("broken");
                    for (long seen : slots[round & 1]) if (seen != round) wrong++;
                }
                return wrong;
            }));
        }
        for (Future<Long> f : done) assertEquals(0L, f.get(120, TimeUnit.SECONDS));
    }

    @Test
    void givenTwoPartiesOneWaiting_whenTheBarrierBreaks_thenTheWaiterAndEveryLaterArrivalGetFalse() throws Exception {
        SpinBarrier barrier = new SpinBarrier(2, 0);
        Future<Boolean> waiter = pool.submit(() -> barrier.await(0));
        barrier.breakBarrier(); // before or after the waiter parked: it must not stay
        assertFalse(waiter.get(120, TimeUnit.SECONDS));
        assertFalse(barrier.await(1));
    }
}
