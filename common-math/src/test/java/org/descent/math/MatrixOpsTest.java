package org.descent.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Matrix creation and MatrixOps against hand-computed values, and every shape error. */
class MatrixOpsTest {
    private static Matrix a() {
        return Matrix.fromRows(new double[][] {{1, 2, 3}, {4, 5, 6}});
    }

    private static Matrix b() {
        return Matrix.fromRows(new double[][] {{10, 20, 30}, {40, 50, 60}});
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
        assertEquals(0.5, MatrixOps.sum(u) / u.size(), 0.1);
    }

    @Test
    void givenLongerBackingArray_whenOps_thenOnlyLeadingElementsUsed() {
        double[] buf = {1, 2, 3, 4, 99, 99};
        Matrix m = Matrix.wrap(2, 2, buf);

        MatrixOps.scaleInPlace(m, 2);

        assertArrayEquals(new double[] {2, 4, 6, 8, 99, 99}, buf, 0.0);
        assertEquals(20.0, MatrixOps.sum(m));
        assertArrayEquals(new double[] {2, 4, 6, 8}, m.copy().data(), 0.0);
    }

    @Test
    void givenTwoMatrices_whenElementWise_thenHandComputedValues() {
        assertMatrix(new double[][] {{11, 22, 33}, {44, 55, 66}}, MatrixOps.add(a(), b()));
        assertMatrix(new double[][] {{9, 18, 27}, {36, 45, 54}}, MatrixOps.subtract(b(), a()));
        assertMatrix(new double[][] {{10, 40, 90}, {160, 250, 360}}, MatrixOps.hadamard(a(), b()));
        assertMatrix(new double[][] {{-2, -4, -6}, {-8, -10, -12}}, MatrixOps.scale(a(), -2));
        Matrix y = a();
        MatrixOps.axpyInPlace(0.5, b(), y);
        assertMatrix(new double[][] {{6, 12, 18}, {24, 30, 36}}, y);
        Matrix z = a();
        MatrixOps.addInPlace(z, b());
        MatrixOps.subtractInPlace(z, b());
        MatrixOps.hadamardInPlace(z, a());
        assertMatrix(new double[][] {{1, 4, 9}, {16, 25, 36}}, z);
    }

    @Test
    void givenValues_whenExpLogMax_thenHandComputedValues() {
        Matrix m = Matrix.fromRows(new double[][] {{0, 1}, {-1, 2}});

        assertMatrix(new double[][] {{1, Math.E}, {1 / Math.E, Math.exp(2)}}, MatrixOps.exp(m));
        assertMatrix(new double[][] {{0, 1}, {-1, 2}}, MatrixOps.log(MatrixOps.exp(m)));
        assertMatrix(new double[][] {{0, 1}, {0, 2}}, MatrixOps.max(m, 0.0));
        assertMatrix(new double[][] {{0.5, 1}, {0.5, 2}}, MatrixOps.max(m, Matrix.filled(2, 2, 0.5)));
        Matrix n = m.copy();
        MatrixOps.expInPlace(n);
        MatrixOps.logInPlace(n);
        MatrixOps.maxInPlace(n, 1.5);
        assertMatrix(new double[][] {{1.5, 1.5}, {1.5, 2}}, n);
    }

    @Test
    void givenRowVector_whenBroadcastAdd_thenAddedToEveryRow() {
        Matrix out = MatrixOps.broadcastAdd(a(), Matrix.rowVector(100, 200, 300));

        assertMatrix(new double[][] {{101, 202, 303}, {104, 205, 306}}, out);
    }

    @Test
    void givenColumnVector_whenBroadcastAdd_thenAddedToEveryColumn() {
        Matrix out = MatrixOps.broadcastAdd(a(), Matrix.columnVector(100, 200));

        assertMatrix(new double[][] {{101, 102, 103}, {204, 205, 206}}, out);
    }

    @Test
    void givenSameShape_whenBroadcastAdd_thenPlainAdd_andBiasAtOffsetAdds() {
        assertMatrix(new double[][] {{11, 22, 33}, {44, 55, 66}}, MatrixOps.broadcastAdd(a(), b()));
        Matrix m = a();
        MatrixOps.addRowVectorInPlace(m, new double[] {9, 1, 2, 3}, 1);
        assertMatrix(new double[][] {{2, 4, 6}, {5, 7, 9}}, m);
        Matrix c = a();
        MatrixOps.addColumnVectorInPlace(c, Matrix.columnVector(-1, -4));
        assertMatrix(new double[][] {{0, 1, 2}, {0, 1, 2}}, c);
    }

    @Test
    void givenMatrix_whenReductions_thenHandComputedSums() {
        assertEquals(21.0, MatrixOps.sum(a()));
        assertMatrix(new double[][] {{5, 7, 9}}, MatrixOps.columnSums(a()));
        assertMatrix(new double[][] {{6}, {15}}, MatrixOps.rowSums(a()));
        Matrix out = Matrix.filled(1, 3, 99);
        MatrixOps.columnSumsInto(a(), out);
        assertMatrix(new double[][] {{5, 7, 9}}, out);
        double[] acc = {1, 1, 1, 1};
        MatrixOps.addColumnSums(a(), acc, 1);
        assertArrayEquals(new double[] {1, 6, 8, 10}, acc, 0.0);
    }

    @Test
    void givenTies_whenArgmax_thenFirstIndexPerRowAndColumn() {
        Matrix m = Matrix.fromRows(new double[][] {{1, 5, 5}, {7, 2, 3}, {0, 0, 9}});

        assertArrayEquals(new int[] {1, 0, 2}, MatrixOps.argmaxPerRow(m));
        assertArrayEquals(new int[] {1, 0, 2}, MatrixOps.argmaxPerColumn(m));
        assertArrayEquals(new int[] {2, 2}, MatrixOps.argmaxPerRow(a()));
        assertArrayEquals(new int[] {1, 1, 1}, MatrixOps.argmaxPerColumn(a()));
    }

    @Test
    void givenMatrix_whenTransposeAndReshape_thenHandComputedLayout() {
        Matrix t = MatrixOps.transpose(a());
        Matrix original = a();
        Matrix r = MatrixOps.reshape(original, 3, 2);

        assertMatrix(new double[][] {{1, 4}, {2, 5}, {3, 6}}, t);
        assertMatrix(new double[][] {{1, 5}, {4, 3}, {2, 6}}, r); // column-major order kept
        assertSame(original.data(), r.data());
    }

    @Test
    void givenIncompatibleShapes_whenEveryOp_thenShapeMismatchNamesBothShapes() {
        Matrix m23 = a();
        Matrix m32 = Matrix.zeros(3, 2);
        assertShapeError("add: a=2x3, b=3x2", () -> MatrixOps.add(m23, m32));
        assertShapeError("add: a=2x3, out=3x2", () -> MatrixOps.addInto(m23, b(), m32));
        assertShapeError("subtract: a=2x3, b=3x2", () -> MatrixOps.subtract(m23, m32));
        assertShapeError("subtract: a=2x3, b=3x2", () -> MatrixOps.subtractInPlace(m23, m32));
        assertShapeError("hadamard: a=2x3, b=3x2", () -> MatrixOps.hadamard(m23, m32));
        assertShapeError("hadamard: a=2x3, b=3x2", () -> MatrixOps.hadamardInPlace(m23, m32));
        assertShapeError("scale: a=2x3, out=3x2", () -> MatrixOps.scaleInto(m23, 2, m32));
        assertShapeError("axpy: x=2x3, y=3x2", () -> MatrixOps.axpyInPlace(1, m23, m32));
        assertShapeError("exp: a=2x3, out=3x2", () -> MatrixOps.expInto(m23, m32));
        assertShapeError("log: a=2x3, out=3x2", () -> MatrixOps.logInto(m23, m32));
        assertShapeError("max: a=2x3, out=3x2", () -> MatrixOps.maxInto(m23, 0, m32));
        assertShapeError("max: a=2x3, b=3x2", () -> MatrixOps.max(m23, m32));
        assertShapeError("broadcastAdd: a=2x3, b=1x2", () -> MatrixOps.broadcastAdd(m23, Matrix.rowVector(1, 2)));
        assertShapeError("broadcastAdd: a=2x3, b=3x1", () -> MatrixOps.broadcastAdd(m23, Matrix.columnVector(1, 2, 3)));
        assertShapeError("addRowVector: a=2x3, row=1x2", () -> MatrixOps.addRowVectorInPlace(m23, Matrix.rowVector(1, 2)));
        assertShapeError("addRowVector: a=2x3, vector of length 3 at offset 1",
                () -> MatrixOps.addRowVectorInPlace(m23, new double[3], 1));
        assertShapeError("addColumnVector: a=2x3, col=3x1",
                () -> MatrixOps.addColumnVectorInPlace(m23, Matrix.columnVector(1, 2, 3)));
        assertShapeError("columnSums: a=2x3, out=1x2", () -> MatrixOps.columnSumsInto(m23, Matrix.zeros(1, 2)));
        assertShapeError("columnSums: a=2x3, accumulator of length 3 at offset 1",
                () -> MatrixOps.addColumnSums(m23, new double[3], 1));
        assertShapeError("rowSums: a=2x3, out=3x1", () -> MatrixOps.rowSumsInto(m23, Matrix.zeros(3, 1)));
        assertShapeError("transpose: a=2x3, out=2x3", () -> MatrixOps.transposeInto(m23, Matrix.zeros(2, 3)));
        assertShapeError("reshape: a=2x3, target=4x2", () -> MatrixOps.reshape(m23, 4, 2));
    }
}
