package org.descent.math.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link FeatureIndex} against a sort of the entries: the same sorted distinct list, slots that invert it, reusable. */
class FeatureIndexTest {
    @Test
    void givenBatchesOfRandomIndices_whenIndexing_thenTheListIsTheSortedDistinctSetAndRemapInvertsIt() {
        int d = 1000; // not a multiple of 64: the last word is partial
        FeatureIndex index = new FeatureIndex(d);
        Random rnd = new Random(5);
        for (int batch = 0; batch < 20; batch++) {
            int n = rnd.nextInt(400);
            int[] idx = new int[n + 3];
            for (int p = 0; p < idx.length; p++) idx[p] = rnd.nextInt(10) == 0 ? d - 1 - rnd.nextInt(3) : rnd.nextInt(d);
            index.add(idx, 0, 2); // two ranges, as for the rows of a permuted batch
            index.add(idx, 2, idx.length);
            int t = index.finish();
            int[] expected = Arrays.stream(idx).distinct().sorted().toArray();
            assertEquals(expected.length, t, "batch " + batch);
            assertArrayEquals(expected, Arrays.copyOf(index.rows(), t), "batch " + batch);
            int[] local = new int[idx.length];
            index.remap(idx, 0, idx.length, local);
            for (int p = 0; p < idx.length; p++) assertEquals(idx[p], index.rows()[local[p]], "batch " + batch + ", entry " + p);
        }
        assertEquals(0, index.finish(), "finish clears the marks");
    }
}
