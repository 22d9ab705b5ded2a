package org.descent.job.exchange;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The reusable barrier of a {@link LocalHub}: the last of the {@code parties} to {@link #await} opens it for all. A
 * waiter first spins for at most {@link #SPIN_NANOS} (only when there are no more parties than cores: a spinning
 * waiter would otherwise take the core of the party it waits for), then parks until the last party unparks it.
 *
 * <p>Why not {@link java.util.concurrent.Phaser}: it spins only ~256 iterations before parking, so even when both
 * ranks reach a barrier within microseconds of each other one of them usually parks and pays a futex wake-up (tens to
 * hundreds of microseconds on a busy 2-core machine, several times per step); and it allocates a wait node per park.
 * This barrier allocates nothing per call.
 *
 * <p>Memory: everything a party wrote before its {@code await} is visible to every party after theirs (each arrival
 * is an atomic update of one counter, and the opening a volatile write that every waiter reads).
 *
 * <p>{@link #breakBarrier} wakes every waiter and makes every later {@code await} return false at once.
 */
final class SpinBarrier {
    /**
     * Longest spin before parking: covers the skew of barriers that follow equal work on every rank (copies, the
     * sharded update), not a rank waiting for a slower rank's gradient (that parks).
     */
    static final long SPIN_NANOS = 30_000;

    private final int parties;
    private final long spinNanos;
    private final AtomicInteger arrived = new AtomicInteger();
    /** Openings so far; a waiter waits for it to move on from the value it read on arrival. */
    private volatile int generation;
    private volatile boolean broken;
    /** The thread parked by each party (null: not parked), for the last party to unpark. */
    private final AtomicReferenceArray<Thread> parked;

    SpinBarrier(int parties) {
        this(parties, parties <= Runtime.getRuntime().availableProcessors() ? SPIN_NANOS : 0);
    }

    SpinBarrier(int parties, long spinNanos) {
        if (parties < 1) throw new IllegalArgumentException("barrier parties must be >= 1, got " + parties);
        this.parties = parties;
        this.spinNanos = spinNanos;
        this.parked = new AtomicReferenceArray<>(parties);
    }

    /**
     * Party {@code party} (0 ≤ party < parties, each used by one thread at a time) arrives and waits for the others.
     *
     * @return true when all parties arrived; false if the barrier is broken (now or before)
     * @throws InterruptedException if the waiting thread is interrupted (the barrier is left as it is)
     */
    boolean await(int party) throws InterruptedException {
        if (broken) return false;
        int g = generation; // cannot move on before this party arrives
        if (arrived.incrementAndGet() == parties) {
            arrived.set(0); // before the opening: a party that sees it may arrive at the next generation at once
            generation = g + 1;
            wakeAll();
            return !broken;
        }
        if (spinNanos > 0 && spin(g)) return !broken;
        Thread me = Thread.currentThread();
        parked.set(party, me); // before re-reading generation: either the opener sees this thread or we see it open
        try {
            while (generation == g && !broken) {
                LockSupport.park(this);
                if (Thread.interrupted()) throw new InterruptedException();
            }
        } finally {
            parked.set(party, null);
        }
        return !broken;
    }

    /** Spins until generation {@code g} opens (true) or {@link #spinNanos} pass (false). */
    private boolean spin(int g) {
        long start = System.nanoTime();
        for (int k = 1; ; k++) {
            if (generation != g || broken) return true;
            Thread.onSpinWait();
            if ((k & 63) == 0 && System.nanoTime() - start > spinNanos) return false;
        }
    }

    /** Breaks the barrier: every waiter returns false now, and so does every later {@link #await}. */
    void breakBarrier() {
        broken = true;
        wakeAll();
    }

    private void wakeAll() {
        for (int i = 0; i < parties; i++) {
            Thread t = parked.get(i);
            if (t != null) LockSupport.unpark(t);
        }
    }
}
