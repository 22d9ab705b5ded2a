package org.descent.math.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** {@link FeatureStats#addRowMajor} against {@link FeatureStats#addColumnMajor} of the same block: the same bits. */
class FeatureStatsRowMajorTest {

    @Test
    void givenTheSameBlocksInBothLayouts_whenAdded_thenEveryStatisticIsBitIdentical() {
        SplittableRandom r = new SplittableRandom(3);
        int cols = 7;
        FeatureStats byRow = new FeatureStats(cols);
        FeatureStats byCol = new FeatureStats(cols);
        for (int rows : new int[] {13, 1, 200, 0, 57}) {
            double[] rm = new double[rows * cols];
            double[] cm = new double[rows * cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double v = 1e3 + r.nextGaussian() * (j + 1) + (j == 3 ? 1e8 : 0); // large offset: rounding matters
                    rm[i * cols + j] = v;
                    cm[i + j * rows] = v;
                }
            }
            byRow.addRowMajor(rm, rows, cols);
            byCol.addColumnMajor(cm, rows, cols);
        }
        assertSameStatistics(byCol, byRow, cols);
    }

    @Test
    void givenANonFiniteValue_whenAddedRowMajor_thenTheErrorNamesItsFeatureAndRow() {
        double[] rm = {1, 2, 3, 4, Double.NaN, 6};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FeatureStats(3).addRowMajor(rm, 2, 3));
        assertTrue(e.getMessage().contains("feature 1 of block row 1"), e.getMessage());
    }

    @Test
    void givenACodedBlock_whenAddedThroughItsCodes_thenTheStatisticsEqualTheDecodedBlocksBitForBit() {
        SplittableRandom r = new SplittableRandom(5);
        int cols = 6;
        double[] table = new double[256];
        for (int c = 0; c < table.length; c++) table[c] = 1e6 + r.nextGaussian() * 3; // large offset: rounding matters
        FeatureStats coded = new FeatureStats(cols);
        FeatureStats decoded = new FeatureStats(cols);
        for (int rows : new int[] {9, 1, 300, 0}) {
            byte[] codes = new byte[rows * cols];
            double[] values = new double[rows * cols];
            for (int p = 0; p < codes.length; p++) {
                codes[p] = (byte) r.nextInt(256); // codes >= 128 are negative bytes: the & 0xff must hold
                values[p] = table[codes[p] & 0xff];
            }
            coded.addRowMajorCoded(codes, table, rows, cols);
            decoded.addRowMajor(values, rows, cols);
        }
        assertSameStatistics(decoded, coded, cols);
    }

    @Test
    void givenCodesShorterThanTheBlock_whenAdded_thenTheShapeErrorNamesBoth() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> new FeatureStats(3).addRowMajorCoded(new byte[5], new double[256], 2, 3));
        assertTrue(e.getMessage().contains("addRowMajorCoded: block=2x3 (data has 5 values), stats=1x3"), e.getMessage());
    }

    /** Every statistic of {@code actual} equals {@code expected}'s exactly (delta 0). */
    private static void assertSameStatistics(FeatureStats expected, FeatureStats actual, int cols) {
        assertEquals(expected.count(), actual.count());
        assertArrayEquals(expected.means(), actual.means(), 0.0);
        assertArrayEquals(expected.stds(), actual.stds(), 0.0);
        assertArrayEquals(expected.mins(), actual.mins(), 0.0);
        assertArrayEquals(expected.maxs(), actual.maxs(), 0.0);
        for (int j = 0; j < cols; j++) assertEquals(expected.m2(j), actual.m2(j), 0.0);
    }
}
