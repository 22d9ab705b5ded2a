package org.descent.math.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.nn.Targets;
import org.junit.jupiter.api.Test;

class RowSparseGradientTest {

    @Test
    void givenPartialsOfSparseSteps_whenEncodedAndMergedInOrder_thenBitsEqualTheDenseSum() {
        int d = 500;
        Network net = new Network(List.of(new LayerSpec(d, 6, ActivationKind.TANH), new LayerSpec(6, 3, ActivationKind.IDENTITY)),
                LossKind.SOFTMAX_CE);
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 3);
        SplittableRandom rng = new SplittableRandom(8);
        double[] denseSum = new double[net.numParams()];
        double[] sparseSum = new double[net.numParams()];
        boolean[] mark = new boolean[d];
        int[] rows = new int[d];
        double[] grad = new double[net.numParams()];
        Network.Workspace ws = net.newWorkspace(20);
        for (int partition = 0; partition < 4; partition++) {
            CsrMatrix x = SparseTestData.random(20, d, 3, rng);
            double[] y = new double[20];
            for (int i = 0; i < 20; i++) y[i] = rng.nextInt(3);
            net.lossAndGradientSum(params, x, Targets.ofValues(20, y), grad, ws);
            for (int i = 0; i < grad.length; i++) denseSum[i] += grad[i];
            int t = RowSparseGradient.touchedRows(x, mark, rows);
            byte[] enc = RowSparseGradient.encode(grad, d, 6, rows, t);
            assertEquals(RowSparseGradient.sparseBytes(t, d, 6, grad.length), enc.length);
            RowSparseGradient.addTo(enc, d, 6, sparseSum);
            RowSparseGradient.clear(grad, d, 6, rows, t);
            assertArrayEquals(new double[grad.length], grad, 0.0, "clear leaves the buffer zero");
        }
        for (int i = 0; i < denseSum.length; i++) {
            assertEquals(Double.doubleToRawLongBits(denseSum[i]), Double.doubleToRawLongBits(sparseSum[i]), "entry " + i);
        }
        for (boolean m : mark) assertEquals(false, m);
        // readRows: touched rows and the tail, bit-exact; other rows untouched
        java.nio.ByteBuffer le = java.nio.ByteBuffer.allocate(params.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        le.asDoubleBuffer().put(params);
        double[] got = new double[params.length];
        java.util.Arrays.fill(got, 7.0);
        RowSparseGradient.readRows(le.array(), got, d, 6, new int[] {3, 499}, 2);
        for (int i = 0; i < got.length; i++) {
            boolean read = i >= d * 6 || i % d == 3 || i % d == 499;
            assertEquals(read ? params[i] : 7.0, got[i], 0.0, "entry " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> RowSparseGradient.addTo(new byte[12], d, 6, sparseSum));
    }
}
