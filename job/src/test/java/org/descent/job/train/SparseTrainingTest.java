package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.descent.job.config.JobConfig;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowBlock;
import org.descent.math.sparse.CsrMatrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training on sparse blocks against training on the same rows densified: every model type, float64, to 1e-12
 * relative after two epochs of SGD; and the sparse step (touched rows only on both engines) giving the same bits on
 * both engines with Adam, whose state decays every step for every parameter (SparseAllReduceTest: more ranks, SGD
 * and Adagrad).
 */
class SparseTrainingTest {
    private static final int D = 300;
    private static final int N = 600;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    /** Rows of about 8 non-zeros among D features, labels from a planted linear model (k classes, or real for k = 0). */
    static double[][] rows(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[N][D];
        for (double[] row : x) {
            for (int q = 0; q < 8; q++) row[r.nextInt(D)] = 1 + r.nextDouble();
        }
        return x;
    }

    static double[] labels(double[][] x, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed + 1);
        int outs = Math.max(1, k);
        double[][] w = new double[D][outs];
        for (double[] row : w) for (int c = 0; c < outs; c++) row[c] = r.nextDouble() * 2 - 1;
        double[] y = new double[N];
        for (int i = 0; i < N; i++) {
            double[] s = new double[outs];
            for (int j = 0; j < D; j++) for (int c = 0; c < outs; c++) s[c] += x[i][j] * w[j][c];
            if (k == 0) {
                y[i] = s[0];
            } else if (k == 2) {
                y[i] = s[0] > 0 ? 1 : 0;
            } else {
                int best = 0;
                for (int c = 1; c < k; c++) if (s[c] > s[best]) best = c;
                y[i] = best;
            }
        }
        return y;
    }

    /** Round-robin blocks as {@link InMemoryData} deals them, either dense or CSR. */
    static LoadedData blocks(double[][] x, double[] y, int k, int partitions, boolean sparse) {
        List<RowBlock> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<Integer> mine = new ArrayList<>();
            for (int i = p; i < N; i += partitions) mine.add(i);
            int n = mine.size();
            double[] l = new double[n];
            long[] ids = new long[n];
            double[] dense = new double[n * D];
            int[] ptr = new int[n + 1];
            List<Integer> idx = new ArrayList<>();
            List<Double> val = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int i = mine.get(r);
                l[r] = y[i];
                ids[r] = i;
                for (int j = 0; j < D; j++) {
                    dense[r * D + j] = x[i][j];
                    if (x[i][j] != 0) {
                        idx.add(j);
                        val.add(x[i][j]);
                    }
                }
                ptr[r + 1] = idx.size();
            }
            out.add(sparse
                    ? new RowBlock(new CsrMatrix(n, D, ptr, idx.stream().mapToInt(Integer::intValue).toArray(),
                            val.stream().mapToDouble(Double::doubleValue).toArray()), l, ids)
                    : RowBlock.rowMajor(n, D, dense, l, ids));
        }
        return new LoadedData(TestSpark.jsc().parallelize(out, partitions), N, D, k, java.util.Map.of());
    }

    static String model(String type) {
        return switch (type) {
            case "linear" -> "model.type = linear\ndata.label-type = real\n";
            case "logistic" -> "model.type = logistic\ndata.label-type = class-index\n";
            case "softmax" -> "model.type = softmax\ndata.label-type = class-index\n";
            default -> "model { type = mlp, hidden-layers = [8], activation = tanh }\ndata.label-type = class-index\n";
        };
    }

    static int classes(String type) {
        return switch (type) {
            case "linear" -> 0;
            case "logistic" -> 2;
            default -> 4;
        };
    }

    static double[] train(JobConfig cfg, LoadedData data) {
        return new Trainer(TestSpark.session(), cfg).train(data, null).params();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"linear", "logistic", "softmax", "mlp"})
    void givenSameRows_whenTrainedSparseAndDense_thenParametersEqualTo1e12(String type) {
        double[][] x = rows(type.hashCode());
        double[] y = labels(x, classes(type), type.hashCode());
        JobConfig cfg = TestConfigs.of(model(type) + """
                optimizer { kind = sgd, learning-rate = 0.05 }
                training { epochs = 2, batch-size = 50, seed = 3, partitions = 3, exchange = broadcast-collect }
                """);
        double[] dense = train(cfg, blocks(x, y, classes(type), 3, false));
        double[] sparse = train(cfg, blocks(x, y, classes(type), 3, true));
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < dense.length; i++) {
            diff = Math.max(diff, Math.abs(dense[i] - sparse[i]));
            scale = Math.max(scale, Math.abs(dense[i]));
        }
        assertTrue(diff <= 1e-12 * scale, type + ": max difference " + diff + " at scale " + scale);
        assertTrue(scale > 0.01, "the model moved");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"softmax", "mlp"})
    void givenSparseBlocks_whenTrainedOnBothEngines_thenBitIdenticalWithAdam(String type) {
        double[][] x = rows(7);
        double[] y = labels(x, 4, 7);
        String base = model(type) + """
                optimizer { kind = adam, learning-rate = 0.01 }
                training { epochs = 2, batch-size = 40, seed = 5, partitions = 2 }
                """;
        double[] collect = train(TestConfigs.of(base, "training.exchange=broadcast-collect", "training.partitions=2"),
                blocks(x, y, 4, 2, true));
        double[] allreduce = train(TestConfigs.of(base, "training.exchange=allreduce", "training.partitions=2"),
                blocks(x, y, 4, 2, true));
        for (int i = 0; i < collect.length; i++) {
            assertEquals(Double.doubleToRawLongBits(collect[i]), Double.doubleToRawLongBits(allreduce[i]),
                    type + ": param " + i + " " + collect[i] + " vs " + allreduce[i]);
        }
    }

    @ParameterizedTest(name = "sparse = {0}")
    @ValueSource(booleans = {true, false})
    void givenExchangeAuto_whenTrained_thenSparseAndDenseBlocksBothUseAllreduce(boolean sparse) {
        double[][] x = rows(11);
        double[] y = labels(x, 4, 11);
        JobConfig cfg = TestConfigs.of(model("softmax") + """
                optimizer { kind = sgd, learning-rate = 0.05 }
                training { epochs = 1, batch-size = 100, seed = 3, partitions = 2, exchange = auto }
                """);
        Trainer trainer = new Trainer(TestSpark.session(), cfg);
        trainer.train(blocks(x, y, 4, 2, sparse), null);
        assertEquals("allreduce", trainer.engineName(), "sparse = " + sparse); // sparse steps exchange touched rows only
    }
}
