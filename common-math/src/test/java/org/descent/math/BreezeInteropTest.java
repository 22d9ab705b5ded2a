package org.descent.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import breeze.linalg.DenseMatrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Zero-copy Breeze views and Breeze's product agreeing with ours. */
class BreezeInteropTest {
    @Test
    void givenMatrix_whenToBreezeAndBack_thenSameArrayNoCopy() {
        Matrix m = Matrix.fromRows(new double[][] {{1, 2}, {3, 4}});

        DenseMatrix<Object> b = BreezeInterop.toBreeze(m);
        Matrix back = BreezeInterop.fromBreeze(b);

        assertSame(m.data(), b.data());
        assertSame(m.data(), back.data());
        assertEquals(3.0, (Double) b.apply(1, 0));
    }

    @Test
    void givenTransposedBreezeView_whenFromBreeze_thenCopiedWithCorrectLayout() {
        Matrix m = Matrix.fromRows(new double[][] {{1, 2, 3}, {4, 5, 6}});
        DenseMatrix<?> t = (DenseMatrix<?>) BreezeInterop.toBreeze(m).t(breeze.linalg.operators.HasOps.canTranspose_DM());

        Matrix back = BreezeInterop.fromBreeze(t);

        assertEquals("3x2", back.shape());
        assertArrayEquals(new double[] {1, 4}, back.row(0), 0.0);
        assertArrayEquals(new double[] {3, 6}, back.row(2), 0.0);
    }

    @Test
    void givenRandomMatrices_whenBreezeMultiplies_thenEqualsBlasGemm() {
        SplittableRandom rng = new SplittableRandom(2);
        Matrix a = Matrix.normal(6, 5, 0, 1, rng);
        Matrix b = Matrix.normal(5, 4, 0, 1, rng);

        Matrix viaBreeze = BreezeInterop.multiplyWithBreeze(a, b);
        Matrix viaBlas = Blas.multiply(a, b);

        assertArrayEquals(viaBlas.data(), viaBreeze.copy().data(), 1e-12);
    }

    @Test
    void givenArray_whenBreezeVectorRoundTrip_thenSameValues() {
        double[] v = {1, 2, 3};

        assertArrayEquals(v, BreezeInterop.fromBreezeVector(BreezeInterop.toBreezeVector(v)), 0.0);
    }
}
