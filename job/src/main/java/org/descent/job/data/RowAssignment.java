package org.descent.job.data;

/**
 * Seeded, deterministic row placement. Both functions depend only on (seed, row id), never on Spark's
 * scheduling: {@code mix = splitmix64(splitmix64(seed ^ salt) + id)}; the partition is
 * {@code floorMod(mix, partitions)}, the holdout test is {@code (mix >>> 11) * 2^-53 < fraction}.
 * Partitioning and holdout use different salts so they are independent.
 */
public final class RowAssignment {
    private static final long PARTITION_SALT = 0x5DEECE66DL;
    private static final long HOLDOUT_SALT = 0x2545F4914F6CDD1DL;

    private RowAssignment() {}

    /** SplitMix64 finaliser: a bijective 64-bit mix. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The partition (0..partitions-1) row {@code id} goes to under {@code seed}. */
    public static int partitionOf(long seed, long id, int partitions) {
        return (int) Math.floorMod(mix64(mix64(seed ^ PARTITION_SALT) + id), (long) partitions);
    }

    /** Whether row {@code id} is in the validation holdout of the given fraction under {@code seed}. */
    public static boolean inHoldout(long seed, long id, double fraction) {
        long m = mix64(mix64(seed ^ HOLDOUT_SALT) + id);
        return (m >>> 11) * 0x1.0p-53 < fraction;
    }
}
