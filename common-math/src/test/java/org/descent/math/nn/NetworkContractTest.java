package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.descent.math.Matrix;
import org.descent.math.ShapeMismatchException;
import org.junit.jupiter.api.Test;

/** Network construction rules, input validation and predictions. */
class NetworkContractTest {
    private static final List<LayerSpec> SOFTMAX_LAST = List.of(
            new LayerSpec(2, 3, ActivationKind.RELU), new LayerSpec(3, 2, ActivationKind.SOFTMAX));

    private static Network classifier() {
        return new Network(List.of(new LayerSpec(2, 3, ActivationKind.TANH),
                new LayerSpec(3, 4, ActivationKind.IDENTITY)), LossKind.SOFTMAX_CE);
    }

    @Test
    void givenSoftmaxLastLayer_whenSoftmaxCe_thenRejectedWithFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Network(SOFTMAX_LAST, LossKind.SOFTMAX_CE));

        assertEquals("SOFTMAX_CE applies softmax to the logits itself, so the last layer (layer 1) must use "
                + "activation IDENTITY, not SOFTMAX", e.getMessage());
    }

    @Test
    void givenSigmoidLastLayer_whenBceLogits_thenRejected() {
        List<LayerSpec> layers = List.of(new LayerSpec(2, 1, ActivationKind.SIGMOID));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Network(layers, LossKind.BCE_LOGITS));

        assertTrue(e.getMessage().startsWith("BCE_LOGITS applies sigmoid"), e.getMessage());
    }

    @Test
    void givenSoftmaxLastLayer_whenMse_thenAccepted() {
        Network net = new Network(SOFTMAX_LAST, LossKind.MSE);

        Matrix p = net.predict(net.initParams(InitKind.HE_NORMAL, 1), Matrix.ones(2, 2), net.newWorkspace(2));

        assertEquals(1.0, p.get(0, 0) + p.get(0, 1), 1e-15);
    }

    @Test
    void givenBadLabel_whenLossAndGradientSum_thenThrowsAndAccumulatorUntouched() {
        Network net = classifier();
        double[] params = net.initParams(InitKind.XAVIER_UNIFORM, 1);
        double[] acc = new double[net.numParams()];
        java.util.Arrays.fill(acc, 3.0);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.lossAndGradientSum(params, Matrix.ones(2, 2), Targets.ofValues(2, new double[] {0, 4}),
                        acc, net.newWorkspace(4)));

        assertTrue(e.getMessage().contains("row 1 has 4.0"), e.getMessage());
        for (double v : acc) {
            assertEquals(3.0, v);
        }
    }

    @Test
    void givenWrongInputs_whenCalled_thenClearErrors() {
        Network net = classifier();
        double[] params = net.initParams(InitKind.XAVIER_UNIFORM, 1);
        Network.Workspace ws = net.newWorkspace(2);
        Targets y3 = Targets.ofValues(3, new double[] {0, 1, 2});

        ShapeMismatchException cols = assertThrows(ShapeMismatchException.class,
                () -> net.predict(params, Matrix.ones(2, 5), ws));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> net.lossSum(params, Matrix.ones(3, 2), y3, ws));
        IllegalArgumentException badParams = assertThrows(IllegalArgumentException.class,
                () -> net.predict(new double[3], Matrix.ones(2, 2), ws));
        IllegalArgumentException foreignWs = assertThrows(IllegalArgumentException.class,
                () -> net.predict(params, Matrix.ones(2, 2), new Network(SOFTMAX_LAST, LossKind.MSE).newWorkspace(2)));

        assertEquals("network input: x=2x5, layer0.W=2x3", cols.getMessage());
        assertTrue(tooMany.getMessage().contains("exceeds the workspace's maxRows=2"), tooMany.getMessage());
        assertTrue(badParams.getMessage().startsWith("params has 3 entries but the network has 25 parameters"),
                badParams.getMessage());
        assertTrue(foreignWs.getMessage().contains("not made by this network"));
    }

    @Test
    void givenClassifier_whenPredict_thenRowsAreProbabilitiesMatchingSoftmaxOfLogits() {
        Network net = classifier();
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 4);
        Matrix x = Matrix.normal(5, 2, 0, 1, 8);

        Matrix p = net.predict(params, x, net.newWorkspace(8));

        assertEquals(5, p.rows());
        assertEquals(4, p.cols());
        for (int i = 0; i < 5; i++) {
            double s = 0;
            for (int j = 0; j < 4; j++) {
                assertTrue(p.get(i, j) > 0);
                s += p.get(i, j);
            }
            assertEquals(1.0, s, 1e-14);
        }
    }

    @Test
    void givenSingleLayerLinearModel_whenPredict_thenEqualsXwPlusB() {
        Network net = new Network(List.of(new LayerSpec(2, 1, ActivationKind.IDENTITY)), LossKind.MSE);
        double[] params = {2.0, -1.0, 0.5}; // W = [2, -1]^T, b = 0.5
        Matrix x = Matrix.fromRows(new double[][] {{1, 1}, {3, 2}});

        Matrix out = net.predict(params, x, net.newWorkspace(2));

        assertEquals(1.5, out.get(0, 0), 1e-15);
        assertEquals(4.5, out.get(1, 0), 1e-15);
    }

    @Test
    void givenNetwork_whenJavaSerialised_thenEquivalentNetwork() throws Exception {
        Network net = classifier();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(net);
        }
        Network copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Network) in.readObject();
        }
        double[] params = net.initParams(InitKind.HE_NORMAL, 2);
        Matrix x = Matrix.normal(3, 2, 0, 1, 3);

        assertEquals(net.layout().layers(), copy.layout().layers());
        assertEquals(LossKind.SOFTMAX_CE, copy.loss());
        assertArrayEquals(net.predict(params, x, net.newWorkspace(3)).copy().data(),
                copy.predict(params, x, copy.newWorkspace(3)).copy().data(), 0.0);
    }
}
