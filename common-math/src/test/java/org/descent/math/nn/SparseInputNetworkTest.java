package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.descent.math.Matrix;
import org.descent.math.check.GradientChecker;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FloatCsrMatrix;
import org.descent.math.sparse.SparseTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sparse first-layer input against the dense path on the same (densified) rows: loss, gradient and
 * predictions equal to 1e-12 relative in float64 for every model type, close in float32, and the sparse
 * gradient against central differences.
 */
class SparseInputNetworkTest {
    private static final int D = 40;
    private static final int N = 12;

    static Network model(String type) {
        return switch (type) {
            case "linear" -> new Network(List.of(new LayerSpec(D, 1, ActivationKind.IDENTITY)), LossKind.MSE);
            case "logistic" -> new Network(List.of(new LayerSpec(D, 1, ActivationKind.IDENTITY)), LossKind.BCE_LOGITS);
            case "softmax" -> new Network(List.of(new LayerSpec(D, 4, ActivationKind.IDENTITY)), LossKind.SOFTMAX_CE);
            case "mlp" -> new Network(List.of(new LayerSpec(D, 6, ActivationKind.TANH),
                    new LayerSpec(6, 5, ActivationKind.RELU), new LayerSpec(5, 3, ActivationKind.IDENTITY)), LossKind.SOFTMAX_CE);
            default -> throw new IllegalArgumentException(type);
        };
    }

    static Targets targets(Network net, SplittableRandom rng, int n) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = switch (net.loss()) {
                case MSE -> rng.nextGaussian();
                case BCE_LOGITS -> rng.nextInt(2);
                case SOFTMAX_CE -> rng.nextInt(net.outputSize());
            };
        }
        return net.loss() == LossKind.BCE_LOGITS ? Targets.ofMatrix(Matrix.wrap(n, 1, y)) : Targets.ofValues(n, y);
    }

    static Stream<Arguments> models() {
        return Stream.of("linear", "logistic", "softmax", "mlp").map(Arguments::of);
    }

    static double[] params(Network net, SplittableRandom rng) {
        double[] p = net.initParams(InitKind.XAVIER_NORMAL, 11);
        for (int i = 0; i < p.length; i++) p[i] += 0.05 * rng.nextGaussian();
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void givenSameRows_whenSparseAndDenseFloat64_thenLossGradientAndPredictionsEqualTo1e12(String type) {
        SplittableRandom rng = new SplittableRandom(type.hashCode());
        Network net = model(type);
        double[] params = params(net, rng);
        CsrMatrix sparse = SparseTestData.random(N, D, 4, rng);
        Matrix dense = SparseTestData.dense(sparse);
        Targets y = targets(net, rng, N);

        double[] gDense = new double[net.numParams()];
        double[] gSparse = new double[net.numParams()];
        Arrays.fill(gDense, 0.25); // accumulators already holding a partial sum
        Arrays.fill(gSparse, 0.25);
        double lDense = net.lossAndGradientSum(params, dense, y, gDense, net.newWorkspace(N));
        Network.Workspace ws = net.newWorkspace(N);
        double lSparse = net.lossAndGradientSum(params, sparse, y, gSparse, ws);

        assertEquals(lDense, lSparse, 1e-12 * Math.abs(lDense));
        assertTrue(SparseTestData.relativeError(gSparse, gDense) <= 1e-12,
                () -> "gradient error " + SparseTestData.relativeError(gSparse, gDense));
        assertEquals(net.lossSum(params, dense, y, net.newWorkspace(N)), net.lossSum(params, sparse, y, ws),
                1e-12 * Math.abs(lDense));
        double[] pDense = net.predict(params, dense, net.newWorkspace(N)).data().clone();
        double[] pSparse = net.predict(params, sparse, ws).data();
        assertTrue(SparseTestData.relativeError(pSparse, pDense) <= 1e-12);
        // float values in a float64 workspace: widened exactly, same result as the double block of those values
        FloatCsrMatrix f = SparseTestData.toFloat(sparse);
        double[] gf = new double[net.numParams()];
        double[] gfDense = new double[net.numParams()];
        net.lossAndGradientSum(params, f, y, gf, ws);
        net.lossAndGradientSum(params, SparseTestData.dense(f), y, gfDense, net.newWorkspace(N));
        assertTrue(SparseTestData.relativeError(gf, gfDense) <= 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void givenSameRows_whenSparseAndDenseFloat32_thenCloseAndFirstLayerUntouchedOutsideFeatures(String type) {
        SplittableRandom rng = new SplittableRandom(type.hashCode() + 1);
        Network net = model(type);
        double[] params = params(net, rng);
        CsrMatrix sparse = SparseTestData.random(N, D, 3, rng);
        Targets y = targets(net, rng, N);
        double[] g64 = new double[net.numParams()];
        double l64 = net.lossAndGradientSum(params, SparseTestData.dense(sparse), y, g64, net.newWorkspace(N));

        Network.Workspace ws = net.newWorkspace(N, Precision.FLOAT32);
        for (int round = 0; round < 2; round++) { // the second call must not see the first's state
            double[] g32 = new double[net.numParams()];
            double l32 = round == 0 ? net.lossAndGradientSum(params, sparse, y, g32, ws)
                    : net.lossAndGradientSum(params, SparseTestData.toFloat(sparse), y, g32, ws);
            assertEquals(l64, l32, 1e-5 * Math.abs(l64));
            assertTrue(SparseTestData.relativeError(g32, g64) < 1e-5, "float32 gradient error " + SparseTestData.relativeError(g32, g64));
        }
        boolean[] present = new boolean[D];
        for (int p = 0; p < sparse.nnz(); p++) present[sparse.colIdx()[p]] = true;
        double[] g = new double[net.numParams()];
        net.lossAndGradientSum(params, sparse, y, g, ws);
        int out = net.layout().layers().get(0).out();
        for (int feature = 0; feature < D; feature++) {
            for (int j = 0; !present[feature] && j < out; j++) assertEquals(0.0, g[feature + j * D], 0.0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void givenSparseInput_whenGradientChecked_thenMatchesCentralDifferences(String type) {
        SplittableRandom rng = new SplittableRandom(type.hashCode() + 2);
        Network net = model(type);
        double[] params = params(net, rng);
        CsrMatrix sparse = SparseTestData.random(N, D, 4, rng);
        Targets y = targets(net, rng, N);
        Network.Workspace ws = net.newWorkspace(N);
        double[] grad = new double[net.numParams()];
        net.lossAndGradientSum(params, sparse, y, grad, ws);

        List<GradientChecker.SegmentResult> results = GradientChecker.checkPerSegment(
                p -> net.lossSum(p, sparse, y, ws), params, grad, 1e-5, net.layout());

        for (GradientChecker.SegmentResult r : results) {
            assertTrue(r.worstRelativeError() < 1e-5, () -> type + " " + r.segment().name() + ": " + r);
        }
    }

    @Test
    void givenWideSparseModel_whenFloat32WorkspaceForManyRows_thenNoDenseInputBufferAndStepRuns() {
        int d = 1 << 22; // a dense float input buffer for 4096 rows would be 64 GiB
        Network net = new Network(List.of(new LayerSpec(d, 2, ActivationKind.IDENTITY)), LossKind.SOFTMAX_CE);
        Network.Workspace ws = net.newWorkspace(4096, Precision.FLOAT32);
        CsrMatrix x = new CsrMatrix(2, d, new int[] {0, 2, 3}, new int[] {5, d - 1, 7}, new double[] {1, 2, -1});
        double[] params = new double[net.numParams()];
        params[d - 1] = 1; // class 0 weight of the last feature
        double[] g = new double[net.numParams()];

        double loss = net.lossAndGradientSum(params, x, Targets.ofValues(2, new double[] {0, 1}), g, ws);

        // row 0: logits (2, 0) → -log softmax_0; row 1: logits (0, 0) → log 2
        assertEquals(Math.log1p(Math.exp(-2)) + Math.log(2), loss, 1e-6);
        assertEquals(2 * (1 / (1 + Math.exp(-2)) - 1), g[d - 1], 1e-6);
        assertEquals(0.0, g[6], 0.0);
    }
}
