package org.descent.math.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.descent.math.Blas;
import org.descent.math.Matrix;
import org.descent.math.ShapeMismatchException;
import org.junit.jupiter.api.Test;

class SparseKernelsTest {

    @Test
    void givenSparseBlock_whenMultiplyAdd_thenEqualsDenseGemmOntoExistingValues() {
        SplittableRandom rng = new SplittableRandom(1);
        CsrMatrix x = SparseTestData.random(9, 13, 3, rng);
        Matrix w = Matrix.normal(13, 4, 0, 1, rng);
        Matrix z0 = Matrix.normal(9, 4, 0, 1, rng);
        double[] expected = z0.data().clone();
        Blas.gemm(false, false, 9, 4, 13, 1.0, SparseTestData.dense(x).data(), 0, 9, w.data(), 0, 13, 1.0, expected, 0, 9);

        double[] z = z0.data().clone();
        SparseKernels.multiplyAdd(x, 4, w.data(), 0, 13, z, 0, 9);

        assertTrue(SparseTestData.relativeError(z, expected) < 1e-14, () -> "error " + SparseTestData.relativeError(z, expected));
    }

    @Test
    void givenSparseBlock_whenTransposeMultiplyAdd_thenEqualsDenseAndTouchesOnlyPresentFeatures() {
        SplittableRandom rng = new SplittableRandom(2);
        CsrMatrix x = SparseTestData.random(7, 30, 2, rng);
        Matrix dz = Matrix.normal(7, 3, 0, 1, rng);
        // g sits at offset 5 in a larger array, leading dimension 30
        double[] g = new double[5 + 30 * 3 + 4];
        java.util.Arrays.fill(g, 0.5);
        double[] expected = g.clone();
        Blas.gemm(true, false, 30, 3, 7, 1.0, SparseTestData.dense(x).data(), 0, 7, dz.data(), 0, 7, 1.0, expected, 5, 30);

        SparseKernels.transposeMultiplyAdd(x, 3, dz.data(), 0, 7, g, 5, 30);

        assertTrue(SparseTestData.relativeError(g, expected) < 1e-14);
        boolean[] present = new boolean[30];
        for (int p = 0; p < x.nnz(); p++) present[x.colIdx()[p]] = true;
        for (int f = 0; f < 30; f++) {
            if (!present[f]) {
                for (int j = 0; j < 3; j++) assertEquals(0.5, g[5 + f + j * 30], 0.0, "untouched feature " + f);
            }
        }
        assertEquals(0.5, g[0], 0.0);
        assertEquals(0.5, g[g.length - 1], 0.0);
    }

    @Test
    void givenFloatBlock_whenKernels_thenCloseToDoubleKernels() {
        SplittableRandom rng = new SplittableRandom(3);
        CsrMatrix x = SparseTestData.random(11, 20, 4, rng);
        FloatCsrMatrix xf = SparseTestData.toFloat(x);
        Matrix w = Matrix.normal(20, 2, 0, 1, rng);
        double[] z = new double[22];
        float[] zf = new float[22];
        SparseKernels.multiplyAdd(x, 2, w.data(), 0, 20, z, 0, 11);
        SparseKernels.multiplyAdd(xf, 2, w.data(), 0, 20, zf, 0, 11);
        double[] zw = new double[22];
        for (int i = 0; i < 22; i++) zw[i] = zf[i];
        assertTrue(SparseTestData.relativeError(zw, z) < 1e-5);

        Matrix dz = Matrix.normal(11, 2, 0, 1, rng);
        float[] dzf = new float[22];
        for (int i = 0; i < 22; i++) dzf[i] = (float) dz.data()[i];
        double[] g = new double[40];
        double[] gf = new double[40];
        SparseKernels.transposeMultiplyAdd(x, 2, dz.data(), 0, 11, g, 0, 20);
        SparseKernels.transposeMultiplyAdd(xf, 2, dzf, 0, 11, gf, 0, 20);
        assertTrue(SparseTestData.relativeError(gf, g) < 1e-6);
    }

    @Test
    void givenWrongShapes_whenKernels_thenShapeMismatchNamesBothOperands() {
        CsrMatrix x = new CsrMatrix(2, 5, new int[] {0, 1, 2}, new int[] {0, 4}, new double[] {1, 2});
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> SparseKernels.multiplyAdd(x, 3, new double[14], 0, 5, new double[6], 0, 2));
        assertTrue(e.getMessage().contains("x=2x5") && e.getMessage().contains("w=5x3"), e.getMessage());
        ShapeMismatchException e2 = assertThrows(ShapeMismatchException.class,
                () -> SparseKernels.transposeMultiplyAdd(x, 3, new double[5], 0, 2, new double[15], 0, 5));
        assertTrue(e2.getMessage().contains("dz=2x3"), e2.getMessage());
        assertThrows(ShapeMismatchException.class, () -> new CsrMatrix(2, 5, new int[] {0, 1}, new int[0], new double[0]));
        assertThrows(ShapeMismatchException.class, () -> new CsrMatrix(1, 5, new int[] {0, 3}, new int[2], new double[3]));
    }

    @Test
    void givenBadEntries_whenValidate_thenNamesRowAndProblem() {
        int[] ptr = {0, 2};
        IllegalArgumentException unsorted = assertThrows(IllegalArgumentException.class,
                () -> new CsrMatrix(1, 5, ptr, new int[] {3, 1}, new double[] {1, 1}).validate());
        assertTrue(unsorted.getMessage().contains("row 0") && unsorted.getMessage().contains("strictly increasing"));
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> new CsrMatrix(1, 5, ptr, new int[] {2, 2}, new double[] {1, 1}).validate());
        assertTrue(dup.getMessage().contains("after 2"), dup.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> new CsrMatrix(1, 5, ptr, new int[] {1, 5}, new double[] {1, 1}).validate());
        assertTrue(range.getMessage().contains("beyond the 5 columns"), range.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new FloatCsrMatrix(1, 5, ptr, new int[] {1, 2}, new float[] {1, Float.NaN}).validate());
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        new CsrMatrix(1, 5, ptr, new int[] {0, 4}, new double[] {1, -1}).validate();
        assertArrayEquals(new int[] {0, 4}, new CsrMatrix(1, 5, ptr, new int[] {0, 4}, new double[2]).colIdx());
    }
}
