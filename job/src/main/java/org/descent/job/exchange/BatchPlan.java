package org.descent.job.exchange;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Epoch semantics: which rows of a partition go into which step.
 *
 * <p>With {@code N} training rows in total and global batch size {@code B}, an epoch has
 * {@code S = ceil(N / B)} steps. Each epoch, partition {@code p} (holding {@code n_p} rows) permutes
 * its row indices with a Fisher–Yates shuffle seeded from {@code (seed, epoch, p)} only, and at step
 * {@code s} takes positions {@code [floor(s n_p / S), floor((s+1) n_p / S))} of that order. The slices
 * of one partition tile {@code [0, n_p)} exactly, so every row is used exactly once per epoch, and a
 * step takes {@code floor} or {@code ceil} of {@code n_p / S} rows from partition p, i.e. about
 * {@code B / P} with balanced partitions. Rounding: the global batch of a step is
 * {@code sum_p (floor((s+1) n_p / S) - floor(s n_p / S))}, within {@code P} rows of {@code N / S ≤ B};
 * there is no short "remainder" last step — the shortfall {@code S B - N} is spread over all steps.
 * Nothing depends on timing or executor placement, so a run is reproducible for a fixed
 * {@code (seed, P)}.
 */
public record BatchPlan(long seed, int epochs, int stepsPerEpoch, int batchSize) implements Serializable {

    /** {@code ceil(N / B)}, at least 1. */
    public static int stepsPerEpoch(long totalRows, int batchSize) {
        long s = (totalRows + batchSize - 1) / batchSize;
        if (s > Integer.MAX_VALUE) throw new IllegalArgumentException("too many steps per epoch: " + s);
        return (int) Math.max(1, s);
    }

    /** First position (in the permuted order) of step {@code step}'s slice of a partition of {@code n} rows. */
    public int sliceStart(int step, int n) {
        return (int) ((long) step * n / stepsPerEpoch);
    }

    /** One past the last position of step {@code step}'s slice. */
    public int sliceEnd(int step, int n) {
        return sliceStart(step + 1, n);
    }

    /** The most rows any step takes from a partition of {@code n} rows: {@code ceil(n / S)}. */
    public int maxRowsPerStep(int n) {
        return (int) (((long) n + stepsPerEpoch - 1) / stepsPerEpoch);
    }

    /** The row order of partition {@code partition} in epoch {@code epoch} (writes into {@code perm}). */
    public void permutation(int epoch, int partition, int[] perm) {
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        SplittableRandom rng = new SplittableRandom(mix(mix(seed ^ 0x5DEECE66DL) + epoch) ^ mix(partition + 0x9E3779B97F4A7C15L));
        for (int i = perm.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
    }

    /** SplitMix64 finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
