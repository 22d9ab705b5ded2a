package org.descent.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Single-precision GEMM (netlib sgemm) against dgemm on the same (float-representable) values, and FloatMatrix. */
class SgemmTest {
    @Test
    void givenOffsetsAndEveryTranspose_whenSgemm_thenMatchesDgemmWithinFloatRounding() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 8; trial++) {
            int m = 1 + rng.nextInt(30);
            int n = 1 + rng.nextInt(30);
            int k = 1 + rng.nextInt(60);
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                int offA = rng.nextInt(5);
                int offB = rng.nextInt(5);
                int offC = rng.nextInt(5);
                FloatMatrix a = FloatMatrix.of(Matrix.normal(offA + m * k, 1, 0, 1, rng));
                FloatMatrix b = FloatMatrix.of(Matrix.normal(offB + k * n, 1, 0, 1, rng));
                FloatMatrix c = FloatMatrix.of(Matrix.normal(offC + m * n, 1, 0, 1, rng));
                double[] cd = c.toMatrix().data();
                int lda = ta ? k : m;
                int ldb = tb ? n : k;

                Blas.gemm(ta, tb, m, n, k, 1.5, a.toMatrix().data(), offA, lda, b.toMatrix().data(), offB, ldb,
                        0.5, cd, offC, m);
                Blas.sgemm(ta, tb, m, n, k, 1.5f, a.data(), offA, lda, b.data(), offB, ldb, 0.5f, c.data(), offC, m);

                for (int i = 0; i < offC; i++) {
                    assertEquals(cd[i], c.data()[i], 0.0, "prefix before offC untouched");
                }
                for (int i = offC; i < cd.length; i++) {
                    // |error| <= k * eps_f * Σ|a||b| ~ k * 6e-8 * O(sqrt k): well under 1e-4 * (1 + k)
                    assertEquals(cd[i], c.data()[i], 1e-5 * (1 + k), "ta=" + ta + " tb=" + tb + " element " + i);
                }
            }
        }
    }

    @Test
    void givenEmptyInnerDimension_whenSgemm_thenCScaledByBeta() {
        float[] c = {1, 2, 3, 4};

        Blas.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 2, new float[0], 0, 0, 3f, c, 0, 2);

        assertArrayEquals(new float[] {3, 6, 9, 12}, c, 0f);
    }

    @Test
    void givenDoubleMatrix_whenRoundTripThroughFloatMatrix_thenWithinFloatEpsilonAndShapeKept() {
        Matrix m = Matrix.normal(7, 3, 0, 10, 9);

        FloatMatrix f = FloatMatrix.of(m);
        Matrix back = f.toMatrix();

        assertEquals("7x3", f.shape());
        assertEquals(m.get(4, 2), f.get(4, 2), Math.ulp((float) m.get(4, 2)));
        for (int i = 0; i < m.size(); i++) {
            double d = m.data()[i];
            assertTrue(Math.abs(back.data()[i] - d) <= 0.5 * Math.ulp((float) d), "element " + i);
            assertEquals((double) f.data()[i], back.data()[i], 0.0, "widening is exact");
        }
    }
}
