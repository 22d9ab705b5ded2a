package org.descent.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** GEMM through netlib against a naive triple loop, every transpose combination, alpha and beta. */
class BlasTest {
    /** Reference {@code alpha * op(a) * op(b) + beta * c} by three nested loops. */
    private static Matrix naive(boolean ta, boolean tb, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        int m = c.rows();
        int n = c.cols();
        int k = ta ? a.rows() : a.cols();
        Matrix out = Matrix.zeros(m, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a.get(p, i) : a.get(i, p);
                    double bv = tb ? b.get(j, p) : b.get(p, j);
                    s += av * bv;
                }
                out.set(i, j, alpha * s + beta * c.get(i, j));
            }
        }
        return out;
    }

    private static void assertClose(Matrix expected, Matrix actual) {
        assertEquals(expected.shape(), actual.shape());
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.data()[i];
            assertEquals(e, actual.data()[i], 1e-12 * Math.max(1, Math.abs(e)), "element " + i);
        }
    }

    @Test
    void givenRandomShapes_whenGemmWithEveryTransposeAlphaBeta_thenEqualsNaiveLoop() {
        SplittableRandom rng = new SplittableRandom(1);
        double[][] alphaBeta = {{1, 0}, {1, 1}, {-0.5, 2}, {2.5, -1}};
        int cases = 0;
        for (int trial = 0; trial < 12; trial++) {
            int m = 1 + rng.nextInt(40);
            int n = 1 + rng.nextInt(40);
            int k = 1 + rng.nextInt(40);
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                Matrix a = ta ? Matrix.normal(k, m, 0, 1, rng) : Matrix.normal(m, k, 0, 1, rng);
                Matrix b = tb ? Matrix.normal(n, k, 0, 1, rng) : Matrix.normal(k, n, 0, 1, rng);
                for (double[] ab : alphaBeta) {
                    Matrix c = Matrix.normal(m, n, 0, 1, rng);
                    Matrix expected = naive(ta, tb, ab[0], a, b, ab[1], c);

                    Blas.gemm(ta, tb, ab[0], a, b, ab[1], c);

                    assertClose(expected, c);
                    cases++;
                }
            }
        }
        assertEquals(12 * 4 * 4, cases);
    }

    @Test
    void givenNaNInOutput_whenBetaZero_thenOldContentIgnored() {
        Matrix a = Matrix.fromRows(new double[][] {{1, 2}, {3, 4}});
        Matrix c = Matrix.filled(2, 2, Double.NaN);

        Blas.gemm(1.0, a, Matrix.identity(2), 0.0, c);

        assertClose(a, c);
    }

    @Test
    void givenHandValues_whenMultiply_thenKnownProduct() {
        Matrix a = Matrix.fromRows(new double[][] {{1, 2}, {3, 4}, {5, 6}});
        Matrix b = Matrix.fromRows(new double[][] {{1, 0, 2}, {0, 1, 3}});

        Matrix c = Blas.multiply(a, b);
        Matrix ata = Blas.multiply(true, false, a, a);

        assertClose(Matrix.fromRows(new double[][] {{1, 2, 8}, {3, 4, 18}, {5, 6, 28}}), c);
        assertClose(Matrix.fromRows(new double[][] {{35, 44}, {44, 56}}), ata);
    }

    @Test
    void givenOffsetsIntoFlatBuffers_whenRawGemm_thenSameAsMatrixForm() {
        SplittableRandom rng = new SplittableRandom(3);
        Matrix x = Matrix.normal(5, 4, 0, 1, rng);
        Matrix w = Matrix.normal(4, 3, 0, 1, rng);
        double[] flat = new double[7 + w.size()];
        System.arraycopy(w.data(), 0, flat, 7, w.size());
        double[] out = new double[2 + 15];

        Blas.gemm(false, false, 5, 3, 4, 1.0, x.data(), 0, 5, flat, 7, 4, 0.0, out, 2, 5);

        Matrix expected = Blas.multiply(x, w);
        for (int i = 0; i < 15; i++) {
            assertEquals(expected.data()[i], out[2 + i], 1e-12);
        }
        assertEquals(0.0, out[0]);
    }

    @Test
    void givenEmptyInnerDimension_whenGemm_thenCScaledByBeta() {
        Matrix c = Matrix.filled(2, 2, 3);

        Blas.gemm(1.0, Matrix.zeros(2, 0), Matrix.zeros(0, 2), 0.5, c);

        assertClose(Matrix.filled(2, 2, 1.5), c);
    }

    @Test
    void givenIncompatibleShapes_whenGemm_thenShapeMismatchNamesBoth() {
        ShapeMismatchException inner = assertThrows(ShapeMismatchException.class,
                () -> Blas.gemm(1.0, Matrix.zeros(4, 7), Matrix.zeros(3, 4), 0.0, Matrix.zeros(4, 4)));
        ShapeMismatchException innerT = assertThrows(ShapeMismatchException.class,
                () -> Blas.gemm(true, false, 1.0, Matrix.zeros(4, 7), Matrix.zeros(3, 4), 0.0, Matrix.zeros(7, 4)));
        ShapeMismatchException out = assertThrows(ShapeMismatchException.class,
                () -> Blas.gemm(1.0, Matrix.zeros(4, 3), Matrix.zeros(3, 5), 0.0, Matrix.zeros(4, 4)));
        Matrix shared = Matrix.zeros(2, 2);
        IllegalArgumentException alias = assertThrows(IllegalArgumentException.class,
                () -> Blas.gemm(1.0, shared, Matrix.identity(2), 0.0, shared));

        assertEquals("gemm: a=4x7, b=3x4", inner.getMessage());
        assertEquals("gemm: a^T=7x4, b=3x4", innerT.getMessage());
        assertEquals("gemm: op(a)*op(b)=4x5, c=4x4", out.getMessage());
        assertTrue(alias.getMessage().contains("must not share"));
    }

    @Test
    void givenNetlib_whenAskedForImplementation_thenNamesANetlibClass() {
        assertTrue(Blas.implementationName().startsWith("dev.ludovic.netlib.blas."), Blas.implementationName());
    }
}
