package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchPlanTest {

    @Test
    void givenAnyPartitionSize_whenSlicingAllSteps_thenSlicesTileThePartitionWithCeilBound() {
        for (int n : new int[] {0, 1, 7, 100, 333, 1000}) {
            for (int total : new int[] {1, 50, 1000, 5000}) {
                int s = BatchPlan.stepsPerEpoch(total, 64);
                BatchPlan plan = new BatchPlan(1, 1, s, 64);
                int covered = 0;
                for (int step = 0; step < s; step++) {
                    assertEquals(covered, plan.sliceStart(step, n));
                    int m = plan.sliceEnd(step, n) - plan.sliceStart(step, n);
                    assertTrue(m >= 0 && m <= plan.maxRowsPerStep(n));
                    covered += m;
                }
                assertEquals(n, covered);
            }
        }
    }

    @Test
    void givenSeedEpochPartition_whenPermuting_thenAPermutationThatDependsOnAllThree() {
        BatchPlan plan = new BatchPlan(42, 3, 10, 8);
        int[] a = new int[50], b = new int[50], c = new int[50], d = new int[50], e = new int[50];
        plan.permutation(0, 0, a);
        plan.permutation(0, 0, b);
        plan.permutation(1, 0, c);
        plan.permutation(0, 1, d);
        new BatchPlan(43, 3, 10, 8).permutation(0, 0, e);
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        assertTrue(Arrays.equals(a, b));
        assertFalse(Arrays.equals(a, c));
        assertFalse(Arrays.equals(a, d));
        assertFalse(Arrays.equals(a, e));
    }
}
