package org.descent.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Matrix creation and the MatrixOps kernels against hand-computed values, and their shape errors. */
class MatrixOpsTest {
    private static Matrix a() {
        return Matrix.fromRows(new double[][] {{1, 2, 3}, {4, 5, 6}});
    }

    private static void assertMatrix(double[][] expected, Matrix actual) {
        assertEquals(expected.length, actual.rows(), "rows");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual.row(i), 1e-12, "row " + i);
        }
    }

    private static void assertShapeError(String message, Executable call) {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void givenRowArrays_whenFromRows_thenColumnMajorStorage() {
        Matrix m = a();

        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, m.data(), 0.0);
        assertEquals("2x3", m.shape());
        assertEquals(6.0, m.get(1, 2));
        assertMatrix(new double[][] {{1, 1}, {1, 1}}, Matrix.ones(2, 2));
        assertMatrix(new double[][] {{1, 0}, {0, 1}}, Matrix.identity(2));
        assertMatrix(new double[][] {{7, 8}}, Matrix.rowVector(7, 8));
        assertMatrix(new double[][] {{7}, {8}}, Matrix.columnVector(7, 8));
    }

    @Test
    void givenRaggedRowsOrShortArray_whenCreating_thenShapeErrors() {
        assertShapeError("fromRows: row 0 has 2 columns, row 1 has 1",
                () -> Matrix.fromRows(new double[][] {{1, 2}, {3}}));
        assertShapeError("wrap: shape=2x3, data length=5", () -> Matrix.wrap(2, 3, new double[5]));
    }

    @Test
    void givenSeed_whenRandomMatrices_thenReproducibleWithinRange() {
        assertArrayEquals(Matrix.normal(3, 4, 1, 2, 7).data(), Matrix.normal(3, 4, 1, 2, 7).data(), 0.0);
        Matrix u = Matrix.uniform(50, 50, -2, 3, 9);
        for (double v : u.data()) {
            org.junit.jupiter.api.Assertions.assertTrue(v >= -2 && v < 3);
        }
        double sum = 0;
        for (double v : u.data()) sum += v;
        assertEquals(0.5, sum / u.size(), 0.1);
    }

    @Test
    void givenLongerBackingArray_whenScaleInPlace_thenOnlyLeadingElementsUsed() {
        double[] buf = {1, 2, 3, 4, 99, 99};
        Matrix m = Matrix.wrap(2, 2, buf);

        MatrixOps.scaleInPlace(m, 2);

        assertArrayEquals(new double[] {2, 4, 6, 8, 99, 99}, buf, 0.0);
        assertArrayEquals(new double[] {2, 4, 6, 8}, m.copy().data(), 0.0);
    }

    @Test
    void givenMatrix_whenAddColumnSumsAtOffset_thenAccumulatesHandComputedSums() {
        double[] acc = {1, 1, 1, 1};

        MatrixOps.addColumnSums(a(), acc, 1);

        assertArrayEquals(new double[] {1, 6, 8, 10}, acc, 0.0);
    }

    @Test
    void givenShortAccumulator_whenAddColumnSums_thenShapeMismatchNamesBoth() {
        assertShapeError("columnSums: a=2x3, accumulator of length 3 at offset 1",
                () -> MatrixOps.addColumnSums(a(), new double[3], 1));
    }

}
