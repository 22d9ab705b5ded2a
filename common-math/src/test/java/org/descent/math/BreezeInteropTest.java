package org.descent.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import breeze.linalg.DenseMatrix;
import breeze.linalg.DenseVector;
import breeze.linalg.operators.HasOps$;
import java.util.List;
import java.util.SplittableRandom;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.junit.jupiter.api.Test;

/** Zero-copy Breeze views of matrices and parameters, in-place GEMM on views, Breeze solves. */
class BreezeInteropTest {
    private static DenseMatrix<Object> breezeProduct(DenseMatrix<Object> a, DenseMatrix<Object> b) {
        return HasOps$.MODULE$.impl_OpMulMatrix_DMD_DMD_eq_DMD().apply(a, b);
    }

    private static DenseMatrix<Object> transposed(DenseMatrix<Object> m) {
        @SuppressWarnings("unchecked")
        DenseMatrix<Object> t = (DenseMatrix<Object>) m.t(HasOps$.MODULE$.canTranspose_DM());
        return t;
    }

    @Test
    void givenMatrix_whenAsBreezeAndBack_thenSameArrayNoCopy() {
        Matrix m = Matrix.fromRows(new double[][] {{1, 2}, {3, 4}});

        DenseMatrix<Object> b = m.asBreeze();
        b.update(0, 1, 20.0);
        Matrix back = BreezeInterop.fromBreeze(b);

        assertSame(m.data(), b.data());
        assertSame(m.data(), back.data());
        assertEquals(3.0, (Double) b.apply(1, 0));
        assertEquals(20.0, m.get(0, 1));
        FloatMatrix f = FloatMatrix.wrap(2, 1, new float[] {5f, 6f});
        assertSame(f.data(), f.asBreeze().data());
        assertEquals(6f, (Float) f.asBreeze().apply(1, 0));
    }

    @Test
    void givenTransposedBreezeView_whenFromBreeze_thenCopiedWithCorrectLayout() {
        Matrix back = BreezeInterop.fromBreeze(transposed(Matrix.fromRows(new double[][] {{1, 2, 3}, {4, 5, 6}})
                .asBreeze()));

        assertEquals("3x2", back.shape());
        assertArrayEquals(new double[] {1, 4}, back.row(0), 0.0);
        assertArrayEquals(new double[] {3, 6}, back.row(2), 0.0);
    }

    @Test
    void givenViewsIncludingTransposed_whenGemmInPlace_thenEqualsBreezeProduct() {
        SplittableRandom rng = new SplittableRandom(2);
        Matrix a = Matrix.normal(5, 6, 0, 1, rng); // used as a^T: 6x5
        Matrix b = Matrix.normal(5, 4, 0, 1, rng);
        Matrix c = Matrix.filled(6, 4, 1.0);
        DenseMatrix<Object> expected = breezeProduct(transposed(a.asBreeze()), b.asBreeze());

        BreezeInterop.gemm(2.0, transposed(a.asBreeze()), b.asBreeze(), 0.5, c.asBreeze());

        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(2.0 * (Double) expected.apply(i, j) + 0.5, c.get(i, j), 1e-12);
            }
        }
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> BreezeInterop.gemm(1, a.asBreeze(), a.asBreeze(), 0, c.asBreeze()));
        assertEquals("gemm: a=5x6, b=5x6", e.getMessage());
    }

    @Test
    void givenNetworkParams_whenWeightsAndBiases_thenLayerViewsOverTheFlatArray() {
        Network net = new Network(List.of(new LayerSpec(3, 4, ActivationKind.RELU, 0.01),
                new LayerSpec(4, 2, ActivationKind.IDENTITY, 0.01)), LossKind.SOFTMAX_CE);
        double[] params = net.initParams(InitKind.XAVIER_UNIFORM, 5);

        List<DenseMatrix<Object>> w = BreezeInterop.weights(net.layout(), params);
        List<DenseVector<Object>> b = BreezeInterop.biases(net.layout(), params);

        assertEquals(2, w.size());
        assertEquals(List.of(3, 4, 4, 2), List.of(w.get(0).rows(), w.get(0).cols(), w.get(1).rows(), w.get(1).cols()));
        assertEquals(List.of(4, 2), List.of(b.get(0).length(), b.get(1).length()));
        int off = net.layout().weightOffset(1);
        assertEquals(params[off + 1 + 4], (Double) w.get(1).apply(1, 1)); // column-major in the flat array
        w.get(1).update(1, 1, 42.0);
        ((double[]) b.get(0).data())[b.get(0).offset() + 3] = -7.0; // the view's own array and offset
        assertEquals(42.0, params[off + 5]);
        assertEquals(-7.0, params[net.layout().biasOffset(0) + 3]);
        assertEquals(-7.0, (Double) b.get(0).apply(3));
    }

    @Test
    void givenLinearSystemAndNoisyLine_whenSolveAndLeastSquares_thenHandComputedSolutions() {
        Matrix a = Matrix.fromRows(new double[][] {{2, 1}, {1, 3}});
        assertArrayEquals(new double[] {1, 2}, BreezeInterop.solve(a, new double[] {4, 7}), 1e-12);
        assertArrayEquals(new double[] {2, 1, 1, 3}, a.data(), 0.0, "inputs untouched");

        // y = 1 + 2x at x = 0,1,2,3 with residuals +e,-e,-e,+e: the least-squares line is exactly 1 + 2x.
        double e = 0.25;
        Matrix x = Matrix.fromRows(new double[][] {{1, 0}, {1, 1}, {1, 2}, {1, 3}});
        double[] theta = BreezeInterop.leastSquares(x, new double[] {1 + e, 3 - e, 5 - e, 7 + e});
        assertArrayEquals(new double[] {1, 2}, theta, 1e-12);
    }

    @Test
    void givenArray_whenBreezeVectorRoundTrip_thenSameValues() {
        double[] v = {1, 2, 3};

        assertArrayEquals(v, BreezeInterop.fromBreezeVector(BreezeInterop.toBreezeVector(v)), 0.0);
        assertSame(v, BreezeInterop.toBreezeVector(v).data());
    }
}
