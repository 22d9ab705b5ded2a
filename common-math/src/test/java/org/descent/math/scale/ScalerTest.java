package org.descent.math.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Random;
import org.descent.math.ShapeMismatchException;
import org.junit.jupiter.api.Test;

class ScalerTest {
    private static final int ROWS = 1000;
    private static final int COLS = 4;

    /**
     * Column-major ROWS x COLS block; column 2 is constant 7.5, column 3 has mean 1e6 and std 1 (an
     * extreme mean/std ratio of 1e6: a double at 1e6 resolves only 1.2e-10).
     */
    private static double[] data() {
        Random r = new Random(17);
        double[] d = new double[ROWS * COLS];
        for (int i = 0; i < ROWS; i++) {
            d[i] = r.nextGaussian() * 3 + 2;
            d[ROWS + i] = r.nextDouble() * 10 - 5;
            d[2 * ROWS + i] = 7.5;
            d[3 * ROWS + i] = 1e6 + r.nextGaussian();
        }
        return d;
    }

    private static double[] row(double[] d, int rows, int i) {
        double[] row = new double[COLS];
        for (int j = 0; j < COLS; j++) row[j] = d[j * rows + i];
        return row;
    }

    /** Copies rows [from, to) into a new column-major block. */
    private static double[] block(double[] d, int from, int to) {
        int n = to - from;
        double[] b = new double[n * COLS];
        for (int j = 0; j < COLS; j++) System.arraycopy(d, j * ROWS + from, b, j * n, n);
        return b;
    }

    @Test
    void givenTwoHalves_whenStatsMerged_thenEqualFitOnWhole() {
        double[] d = data();
        FeatureStats whole = new FeatureStats(COLS).addColumnMajor(d, ROWS, COLS);
        FeatureStats first = new FeatureStats(COLS).addColumnMajor(block(d, 0, 377), 377, COLS);
        FeatureStats second = new FeatureStats(COLS);
        for (int i = 377; i < ROWS; i++) second.add(row(d, ROWS, i)); // row-wise path for the other half
        FeatureStats merged = first.merge(second);

        assertEquals(ROWS, merged.count());
        for (int j = 0; j < COLS; j++) {
            // relative 1e-12 for moderate columns; column 3 (mean/std = 1e6) gets kappa * eps * 100 = ~1e-8
            double tol = j == 3 ? 1e6 * 1.1e-16 * 100 : 1e-12;
            assertEquals(whole.mean(j), merged.mean(j), 1e-12 * Math.max(1, Math.abs(whole.mean(j))), "mean " + j);
            assertEquals(whole.variance(j), merged.variance(j), tol * Math.max(1, whole.variance(j)), "var " + j);
            assertEquals(whole.min(j), merged.min(j), 0);
            assertEquals(whole.max(j), merged.max(j), 0);
        }
        for (ScalerKind kind : ScalerKind.values()) {
            Scaler a = Scaler.fit(kind, whole);
            Scaler b = Scaler.fit(kind, merged);
            assertArrayEquals(a.offsets(), b.offsets(), 1e-12 * 1e6);
            assertArrayEquals(java.util.Arrays.copyOf(a.scales(), 3), java.util.Arrays.copyOf(b.scales(), 3), 1e-12);
            assertEquals(a.scales()[3], b.scales()[3], 1e-8);
        }
    }

    @Test
    void givenKnownColumn_whenStatsComputed_thenTwoPassValues() {
        // column (1, 2, 3, 4): mean 2.5, population variance 1.25, min 1, max 4
        FeatureStats s = new FeatureStats(1).addColumnMajor(new double[] {1, 2, 3, 4}, 4, 1);
        assertEquals(2.5, s.mean(0), 1e-15);
        assertEquals(1.25, s.variance(0), 1e-15);
        assertEquals(5.0, s.m2(0), 1e-15);
        assertEquals(1, s.min(0), 0);
        assertEquals(4, s.max(0), 0);
    }

    @Test
    void givenStandardScaler_whenTransformingBlock_thenZeroMeanUnitVarianceAndConstantColumnFinite() {
        double[] d = data();
        Scaler scaler = Scaler.fit(ScalerKind.STANDARD, new FeatureStats(COLS).addColumnMajor(d, ROWS, COLS));
        double[] expectedRow5 = row(d, ROWS, 5);
        scaler.transformRow(expectedRow5);
        scaler.transformInPlace(d, ROWS, COLS);

        FeatureStats after = new FeatureStats(COLS).addColumnMajor(d, ROWS, COLS);
        for (int j = 0; j < COLS; j++) {
            assertEquals(0, after.mean(j), 1e-9, "mean " + j);
            assertEquals(j == 2 ? 0 : 1, after.variance(j), 1e-9, "variance " + j);
        }
        for (double v : d) assertTrue(Double.isFinite(v));
        assertEquals(1.0, scaler.scales()[2], 0, "constant column gets scale 1");
        assertArrayEquals(expectedRow5, row(d, ROWS, 5), 1e-15, "transformRow agrees with transformInPlace");
    }

    @Test
    void givenMinMaxScaler_whenTransforming_thenUnitIntervalAndConstantColumnZero() {
        double[] d = data();
        Scaler scaler = Scaler.fit(ScalerKind.MIN_MAX, new FeatureStats(COLS).addColumnMajor(d, ROWS, COLS));
        scaler.transformInPlace(d, ROWS, COLS);
        FeatureStats after = new FeatureStats(COLS).addColumnMajor(d, ROWS, COLS);
        for (int j = 0; j < COLS; j++) {
            assertEquals(0, after.min(j), 1e-12);
            assertEquals(j == 2 ? 0 : 1, after.max(j), 1e-12);
        }
    }

    @Test
    void givenSingleRow_whenFitted_thenAllScalesOneAndNoNaN() {
        FeatureStats s = new FeatureStats(3).add(new double[] {1, -2, 3});
        for (ScalerKind kind : ScalerKind.values()) {
            Scaler scaler = Scaler.fit(kind, s);
            double[] r = scaler.transformRow(new double[] {1, -2, 3});
            for (double v : r) assertTrue(Double.isFinite(v), kind + " produced " + v);
            // max-abs needs no spread: its scale is |x| even for one row; the spread-based kinds fall back to 1
            assertArrayEquals(kind == ScalerKind.MAX_ABS ? new double[] {1, 2, 3} : new double[] {1, 1, 1}, scaler.scales(), 0);
        }
    }

    @Test
    void givenScaler_whenBytesRoundTrip_thenIdenticalArraysAndTransform() throws Exception {
        double[] d = data();
        Scaler scaler = Scaler.fit(ScalerKind.STANDARD, new FeatureStats(COLS).addColumnMajor(d, ROWS, COLS));
        Scaler back = Scaler.fromBytes(scaler.toBytes());
        assertEquals(scaler.kind(), back.kind());
        assertArrayEquals(scaler.offsets(), back.offsets(), 0);
        assertArrayEquals(scaler.scales(), back.scales(), 0);
        Scaler fromJsonArrays = Scaler.of(scaler.kind(), scaler.offsets(), scaler.scales());
        assertArrayEquals(scaler.toBytes(), fromJsonArrays.toBytes());
        double[] r = row(d, ROWS, 0);
        double[] copy = r.clone();
        scaler.transformRow(r);
        back.transformRow(copy);
        assertArrayEquals(r, copy, 0);
        back.inverseTransformRow(copy);
        assertArrayEquals(row(d, ROWS, 0), copy, 1e-9);

        // java serialisation (Spark broadcast) of stats and scaler
        FeatureStats stats = new FeatureStats(COLS).addColumnMajor(d, ROWS, COLS);
        FeatureStats statsBack = roundTrip(stats);
        assertEquals(stats.count(), statsBack.count());
        assertArrayEquals(stats.means(), statsBack.means(), 0);
        assertArrayEquals(scaler.scales(), roundTrip(scaler).scales(), 0);
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void givenBadInput_whenUsed_thenClearErrors() {
        Scaler scaler = Scaler.identity(3);
        assertThrows(ShapeMismatchException.class, () -> scaler.transformRow(new double[2]));
        assertThrows(ShapeMismatchException.class, () -> scaler.transformInPlace(new double[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Scaler.fromBytes(new byte[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> Scaler.of(ScalerKind.STANDARD, new double[] {0}, new double[] {0}));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new FeatureStats(2).add(new double[] {1, Double.NaN}));
        assertTrue(nan.getMessage().contains("feature 1"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Scaler.fit(ScalerKind.STANDARD, new FeatureStats(2)));
        assertThrows(ShapeMismatchException.class, () -> new FeatureStats(2).merge(new FeatureStats(3)));
        byte[] good = scaler.toBytes();
        assertThrows(IllegalArgumentException.class,
                () -> Scaler.fromBytes(java.util.Arrays.copyOf(good, good.length - 1)));
        assertEquals(ScalerKind.MIN_MAX, ScalerKind.parse("min-max"));
    }
}
