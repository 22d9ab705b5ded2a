package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.SplittableRandom;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.ShapeMismatchException;
import org.descent.math.check.GradientChecker;
import org.descent.math.nn.layers.LayerDef;
import org.descent.math.nn.layers.Shape;
import org.junit.jupiter.api.Test;

/** Networks of general layers: whole-network gradients, the dense special case, workspaces, errors. */
class StackNetworkTest {
    static final LayerDef.Dense OUT3 = new LayerDef.Dense(3, ActivationKind.IDENTITY, 0.01);

    static Network cnn() {
        return Network.of(Shape.of(2, 8, 7), List.of(
                new LayerDef.Conv2D(3, 3, 1, 1, ActivationKind.TANH, 0.01),
                new LayerDef.Pool2D(true, 2, 2),
                new LayerDef.Conv2D(4, 2, 1, 0, ActivationKind.SIGMOID, 0.01),
                new LayerDef.Pool2D(false, 2, 1),
                new LayerDef.Flatten(),
                new LayerDef.Dense(5, ActivationKind.TANH, 0.01),
                OUT3), LossKind.SOFTMAX_CE);
    }

    static Network lstm() {
        return Network.of(Shape.of(6, 4), List.of(
                new LayerDef.Recurrent(true, 5, true),
                new LayerDef.Recurrent(false, 4, false),
                OUT3), LossKind.MSE);
    }

    @Test
    void givenACnnWhenGradientCheckedThenEverySegmentMatchesCentralDifferences() {
        Network net = cnn();
        assertTrue(net.isStack());
        assertGradientsMatch(net, Targets.ofValues(5, new double[] {0, 2, 1, 1, 0}), 5);
    }

    @Test
    void givenStackedRecurrentLayersWhenGradientCheckedThenEverySegmentMatchesCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(5);
        assertGradientsMatch(lstm(), Targets.ofMatrix(Matrix.normal(4, 3, 0, 1, rng)), 4);
    }

    private static void assertGradientsMatch(Network net, Targets y, int n) {
        SplittableRandom rng = new SplittableRandom(11);
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 3);
        for (int i = 0; i < params.length; i++) {
            params[i] += 0.1 * rng.nextGaussian();
        }
        Matrix x = Matrix.normal(n, net.inputSize(), 0, 1, rng);
        double[] grad = new double[net.numParams()];
        net.lossAndGradient(params, x, y, grad);
        List<GradientChecker.SegmentResult> results = GradientChecker.checkPerSegment(
                p -> net.lossMean(p, x, y), params, grad, 1e-5, net.layout());
        for (GradientChecker.SegmentResult r : results) {
            assertEquals(r.segment().length(), r.checked());
            for (int i = r.segment().offset(); i < r.segment().offset() + r.segment().length(); i++) {
                double num = GradientChecker.numericPartial(p -> net.lossMean(p, x, y), params, i, 1e-5);
                double tol = 1e-9 + 1e-6 * Math.max(Math.abs(num), Math.abs(grad[i]));
                assertEquals(num, grad[i], tol, r.segment().name() + "[" + (i - r.segment().offset()) + "]");
            }
        }
    }

    @Test
    void givenOnlyDenseAndFlattenLayersWhenBuiltThenItIsTheDenseNetworkBitForBit() {
        Network general = Network.of(Shape.of(2, 3, 2), List.of(new LayerDef.Flatten(),
                new LayerDef.Dense(4, ActivationKind.RELU, 0.01), OUT3), LossKind.SOFTMAX_CE);
        Network dense = new Network(List.of(new LayerSpec(12, 4, ActivationKind.RELU),
                new LayerSpec(4, 3, ActivationKind.IDENTITY)), LossKind.SOFTMAX_CE);
        assertFalse(general.isStack());
        assertEquals(dense.layout().segments(), general.layout().segments());
        SplittableRandom rng = new SplittableRandom(2);
        double[] p = dense.initParams(InitKind.HE_NORMAL, 9);
        assertArrayEquals(p, general.initParams(InitKind.HE_NORMAL, 9));
        Matrix x = Matrix.normal(7, 12, 0, 1, rng);
        Targets y = Targets.ofValues(7, new double[] {0, 1, 2, 0, 1, 2, 0});
        double[] g1 = new double[p.length];
        double[] g2 = new double[p.length];
        assertEquals(dense.lossAndGradient(p, x, y, g1), general.lossAndGradient(p, x, y, g2), 0.0);
        assertArrayEquals(g1, g2, 0.0);
    }

    @Test
    void givenAStackWhenSerialisedThenTheCopyComputesTheSameBits() throws Exception {
        Network net = cnn();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(net);
        }
        Network copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Network) in.readObject();
        }
        double[] p = net.initParams(InitKind.HE_NORMAL, 1);
        Matrix x = Matrix.normal(3, net.inputSize(), 0, 1, new SplittableRandom(4));
        Targets y = Targets.ofValues(3, new double[] {0, 1, 2});
        double[] g1 = new double[p.length];
        double[] g2 = new double[p.length];
        assertEquals(net.lossAndGradient(p, x, y, g1), copy.lossAndGradient(p, x, y, g2), 0.0);
        assertArrayEquals(g1, g2, 0.0);
        // a workspace of the original serves the copy (equal networks)
        Network.Workspace ws = net.newWorkspace(3);
        assertEquals(net.lossSum(p, x, y, ws), copy.lossSum(p, x, y, ws), 0.0);
    }

    @Test
    void givenAFloatBlockWhenUsedThenTheResultEqualsTheWidenedDoubleBlock() {
        Network net = lstm();
        SplittableRandom rng = new SplittableRandom(8);
        double[] p = net.initParams(InitKind.XAVIER_UNIFORM, 2);
        FloatMatrix xf = FloatMatrix.of(Matrix.normal(5, net.inputSize(), 0, 1, rng));
        Targets y = Targets.ofMatrix(Matrix.normal(5, 3, 0, 1, rng));
        Network.Workspace ws = net.newWorkspace(8);
        double[] g1 = new double[p.length];
        double[] g2 = new double[p.length];
        double a = net.lossAndGradientSum(p, xf, y, g1, ws);
        double b = net.lossAndGradientSum(p, xf.toMatrix(), y, g2, ws);
        assertEquals(a, b, 0.0);
        assertArrayEquals(g1, g2, 0.0);
        Matrix pred = net.predict(p, xf, ws);
        assertEquals(5, pred.rows());
        assertEquals(3, pred.cols());
    }

    @Test
    void givenAGradientSumWhenCalledTwiceThenItAccumulates() {
        Network net = cnn();
        double[] p = net.initParams(InitKind.HE_NORMAL, 5);
        Matrix x = Matrix.normal(4, net.inputSize(), 0, 1, new SplittableRandom(1));
        Targets y = Targets.ofValues(4, new double[] {2, 1, 0, 1});
        Network.Workspace ws = net.newWorkspace(4);
        double[] once = new double[p.length];
        double[] twice = new double[p.length];
        net.lossAndGradientSum(p, x, y, once, ws);
        net.lossAndGradientSum(p, x, y, twice, ws);
        net.lossAndGradientSum(p, x, y, twice, ws);
        for (int i = 0; i < p.length; i++) {
            assertEquals(2 * once[i], twice[i], 1e-12 * Math.max(1, Math.abs(once[i])));
        }
    }

    @Test
    void givenABlockLargerThanOneLayerPassWhenComputedThenChunksSumToTheWholeBlock() {
        // 300 rows = 128 + 128 + 44: the chunked result equals the sum over separate row blocks
        Network net = cnn();
        SplittableRandom rng = new SplittableRandom(21);
        double[] p = net.initParams(InitKind.HE_NORMAL, 4);
        int n = 300;
        Matrix x = Matrix.normal(n, net.inputSize(), 0, 1, rng);
        double[] labels = new double[n];
        for (int i = 0; i < n; i++) labels[i] = rng.nextInt(3);
        Network.Workspace big = net.newWorkspace(n);
        double[] whole = new double[p.length];
        double lossWhole = net.lossAndGradientSum(p, x, Targets.ofValues(n, labels), whole, big);
        Matrix predWhole = net.predict(p, x, big).copy();
        assertEquals(lossWhole, net.lossSum(p, x, Targets.ofValues(n, labels), big), 1e-12 * Math.abs(lossWhole));

        Network.Workspace small = net.newWorkspace(100);
        double[] parts = new double[p.length];
        double lossParts = 0;
        for (int start = 0; start < n; start += 100) {
            Matrix xs = Matrix.zeros(100, net.inputSize());
            for (int i = 0; i < 100; i++) for (int j = 0; j < net.inputSize(); j++) xs.set(i, j, x.get(start + i, j));
            double[] ls = java.util.Arrays.copyOfRange(labels, start, start + 100);
            lossParts += net.lossAndGradientSum(p, xs, Targets.ofValues(100, ls), parts, small);
            Matrix ps = net.predict(p, xs, small);
            for (int i = 0; i < 100; i++) {
                for (int j = 0; j < 3; j++) assertEquals(ps.get(i, j), predWhole.get(start + i, j), 1e-12);
            }
        }
        assertEquals(lossParts, lossWhole, 1e-10 * Math.abs(lossWhole));
        for (int i = 0; i < p.length; i++) {
            assertEquals(parts[i], whole[i], 1e-10 * Math.max(1, Math.abs(whole[i])));
        }
        // a bad label in the last chunk leaves the accumulator untouched
        labels[n - 1] = 7;
        double[] acc = new double[p.length];
        assertThrows(IllegalArgumentException.class,
                () -> net.lossAndGradientSum(p, x, Targets.ofValues(n, labels), acc, big));
        assertArrayEquals(new double[p.length], acc, 0.0);
    }

    @Test
    void givenIncompatibleLayersWhenBuiltThenTheErrorNamesTheLayerAndBothShapes() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Network.of(Shape.of(1, 6, 6),
                List.of(new LayerDef.Conv2D(4, 5, 1, 0, ActivationKind.RELU, 0.01), new LayerDef.Pool2D(true, 3, 3),
                        OUT3), LossKind.SOFTMAX_CE));
        assertEquals("layer 1 max-pool(size=3, stride=3): input 4x2x2 is smaller than the window 3x3", e.getMessage());
        ShapeMismatchException r = assertThrows(ShapeMismatchException.class, () -> Network.of(Shape.of(784),
                List.of(new LayerDef.Recurrent(true, 8, false), OUT3), LossKind.MSE));
        assertEquals("layer 0 lstm(units=8, last step): needs a time x features input, got 784", r.getMessage());
    }

    /**
     * FLOAT32 stacks against FLOAT64: the same maths rounded to float, so the loss agrees to ~1e-6 relative and
     * every gradient entry to a small multiple of float's epsilon times the largest entry (bound 1e-4 of it;
     * a wrong term is O(1) off). 130 rows: two chunks (gather, per-chunk targets, the float scratch summed
     * over chunks); a float input block is used as is; predictions agree too.
     */
    @Test
    void givenAStackWhenRunInFloat32ThenLossGradientAndPredictionsMatchFloat64() {
        SplittableRandom rng = new SplittableRandom(23);
        double[] labels = new double[130];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rng.nextInt(3);
        }
        assertFloat32MatchesFloat64(cnn(), Targets.ofValues(130, labels), 130);
        assertFloat32MatchesFloat64(lstm(), Targets.ofMatrix(Matrix.normal(7, 3, 0, 1, rng)), 7);
    }

    private static void assertFloat32MatchesFloat64(Network net, Targets y, int n) {
        SplittableRandom rng = new SplittableRandom(29);
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 5);
        Matrix x = Matrix.normal(n, net.inputSize(), 0, 1, rng);
        double[] g64 = new double[net.numParams()];
        double[] g32 = new double[net.numParams()];
        Network.Workspace w64 = net.newWorkspace(n);
        Network.Workspace w32 = net.newWorkspace(n, Precision.FLOAT32);
        assertEquals(Precision.FLOAT32, w32.precision());
        double l64 = net.lossAndGradientSum(params, x, y, g64, w64);
        double l32 = net.lossAndGradientSum(params, x, y, g32, w32);
        assertEquals(l64, l32, 1e-5 * Math.abs(l64));
        double max = 0;
        for (double g : g64) {
            max = Math.max(max, Math.abs(g));
        }
        assertTrue(max > 1e-3);
        for (int i = 0; i < g64.length; i++) {
            assertEquals(g64[i], g32[i], 1e-4 * max, "gradient entry " + i);
        }
        FloatMatrix xf = FloatMatrix.of(x);
        double[] g32f = new double[net.numParams()];
        assertEquals(l32, net.lossAndGradientSum(params, xf, y, g32f, w32), 0.0);
        assertArrayEquals(g32, g32f, 0.0);
        assertEquals(l32, net.lossSum(params, x, y, w32), 0.0);
        Matrix p64 = net.predict(params, x, w64).copy();
        Matrix p32 = net.predict(params, x, w32);
        for (int i = 0; i < p64.size(); i++) {
            assertEquals(p64.data()[i], p32.data()[i], 1e-5);
        }
    }
}
