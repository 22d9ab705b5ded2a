package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.descent.math.Matrix;
import org.junit.jupiter.api.Test;

/** Tiny fits with plain gradient descent, common-math alone. */
class EndToEndFitTest {
    @Test
    void givenBowlFromMinus3And4_whenGradientDescent_thenReachesOriginWithin1e8() {
        double[] x = {-3, 4};
        double lr = 0.1;
        int steps = 0;
        while (Math.hypot(x[0], x[1]) > 1e-9 && steps < 1000) {
            double[] grad = {2 * x[0], 2 * x[1]}; // ∇(x0² + x1²)
            x[0] -= lr * grad[0];
            x[1] -= lr * grad[1];
            steps++;
        }

        assertEquals(0.0, x[0], 1e-8);
        assertEquals(0.0, x[1], 1e-8);
        assertTrue(steps < 200, "took " + steps + " steps");
    }

    @Test
    void givenXor_whenTwoLayerNetworkTrainedByGradientDescent_thenAllFourCorrect() {
        Network net = new Network(List.of(
                new LayerSpec(2, 8, ActivationKind.TANH),
                new LayerSpec(8, 1, ActivationKind.IDENTITY)), LossKind.BCE_LOGITS);
        Matrix x = Matrix.fromRows(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Targets y = Targets.ofValues(4, new double[] {0, 1, 1, 0});
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 2024);
        double[] grad = new double[net.numParams()];
        double initial = net.lossAndGradient(params, x, y, grad);

        double loss = initial;
        for (int step = 0; step < 3000; step++) {
            loss = net.lossAndGradient(params, x, y, grad);
            for (int i = 0; i < params.length; i++) {
                params[i] -= 0.5 * grad[i];
            }
        }
        Matrix p = net.predict(params, x, net.newWorkspace(4));

        assertTrue(initial > 0.6, "starts near chance: " + initial);
        assertTrue(loss < 0.02, "final loss " + loss);
        int[] predicted = new int[4];
        for (int i = 0; i < 4; i++) {
            predicted[i] = p.get(i, 0) > 0.5 ? 1 : 0;
        }
        assertArrayEquals(new int[] {0, 1, 1, 0}, predicted);
    }

    @Test
    void givenThreeSeparableBlobs_whenSoftmaxClassifierTrained_thenAccuracyAbove95Percent() {
        int perClass = 40;
        Matrix x = Matrix.zeros(3 * perClass, 2);
        double[] labels = new double[3 * perClass];
        Matrix noise = Matrix.normal(3 * perClass, 2, 0, 0.5, 5);
        double[][] centres = {{0, 3}, {3, -2}, {-3, -2}};
        for (int i = 0; i < 3 * perClass; i++) {
            int c = i % 3;
            labels[i] = c;
            x.set(i, 0, centres[c][0] + noise.get(i, 0));
            x.set(i, 1, centres[c][1] + noise.get(i, 1));
        }
        Network net = new Network(List.of(new LayerSpec(2, 16, ActivationKind.RELU),
                new LayerSpec(16, 3, ActivationKind.IDENTITY)), LossKind.SOFTMAX_CE);
        double[] params = net.initParams(InitKind.HE_NORMAL, 3);
        double[] grad = new double[net.numParams()];
        Targets y = Targets.ofValues(labels.length, labels);
        for (int step = 0; step < 300; step++) {
            net.lossAndGradient(params, x, y, grad);
            for (int i = 0; i < params.length; i++) {
                params[i] -= 0.1 * grad[i];
            }
        }

        int[] predicted = argmaxPerRow(net.predict(params, x, net.newWorkspace(labels.length)));
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += predicted[i] == (int) labels[i] ? 1 : 0;
        }
        assertTrue(correct >= 0.95 * labels.length, correct + "/" + labels.length);
    }

    /** Index of the largest entry of each row (first on ties). */
    static int[] argmaxPerRow(Matrix m) {
        int[] out = new int[m.rows()];
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 1; j < m.cols(); j++) if (m.get(i, j) > m.get(i, out[i])) out[i] = j;
        }
        return out;
    }
}
