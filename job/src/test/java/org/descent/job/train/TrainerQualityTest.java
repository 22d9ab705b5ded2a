package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.lapack.LAPACK;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.Matrix;
import org.descent.math.nn.Network;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.netlib.util.intW;

/** Each model type trained end to end by the real loop on a local[2] session, with a quality bar. */
class TrainerQualityTest {

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    @Test
    void givenNoisyLinearData_whenTrainingLinearRegression_thenMseWithinOnePercentOfNormalEquation() {
        InMemoryData data = InMemoryData.linear(2000, 8, 0.3, 11);
        TrainingResult r = new Trainer(TestSpark.session(), TestConfigs.of("""
                model.type = linear
                optimizer { kind = momentum, learning-rate = 0.02, momentum = 0.9 }
                schedule.kind = cosine
                training { epochs = 40, batch-size = 50, seed = 5 }
                """)).train(data.toLoaded(3), null);
        double sgdMse = mse(r, data);
        double optimalMse = normalEquationMse(data);
        assertTrue(sgdMse <= optimalMse * 1.01,
                "SGD MSE " + sgdMse + " vs normal-equation MSE " + optimalMse);
        assertTrue(optimalMse > 0.05 && optimalMse < 0.15, "noise variance is 0.09: " + optimalMse);
    }

    @Test
    void givenLinearlySeparableishBinaryData_whenTrainingLogistic_thenHeldOutAccuracyAbove90Percent() {
        InMemoryData[] d = InMemoryData.binary(3000, 6, 21).split(2400);
        TrainingResult r = new Trainer(TestSpark.session(), TestConfigs.of("""
                data.label-type = class-index
                model.type = logistic
                optimizer { kind = sgd, learning-rate = 0.5 }
                training { epochs = 15, batch-size = 64 }
                """)).train(d[0].toLoaded(3), d[1].toLoaded(3));
        double acc = r.finalMetrics().get("validationAccuracy");
        assertTrue(acc >= 0.90, "held-out accuracy " + acc);
        assertEquals(600.0, r.finalMetrics().get("validationRows"));
    }

    @Test
    void givenFourGaussianBlobs_whenTrainingSoftmax_thenHeldOutAccuracyAbove95Percent() {
        InMemoryData[] d = InMemoryData.blobs(3000, 5, 4, 31).split(2400);
        TrainingResult r = new Trainer(TestSpark.session(), TestConfigs.of("""
                data.label-type = class-index
                model.type = softmax
                optimizer { kind = adam, learning-rate = 0.05 }
                training { epochs = 10, batch-size = 64 }
                """)).train(d[0].toLoaded(3), d[1].toLoaded(3));
        double acc = r.finalMetrics().get("validationAccuracy");
        assertTrue(acc >= 0.95, "held-out accuracy " + acc);
    }

    @Test
    void givenXorData_whenTrainingMlp_thenHeldOutAccuracyAbove93PercentWhereSoftmaxStaysBelow70() {
        InMemoryData[] d = InMemoryData.xor(3000, 41).split(2400);
        String common = """
                data.label-type = class-index
                optimizer { kind = adam, learning-rate = 0.02 }
                training { epochs = 25, batch-size = 64 }
                """;
        TrainingResult mlp = new Trainer(TestSpark.session(), TestConfigs.of(common + """
                model { type = mlp, hidden-layers = [32, 32], activation = relu, init = he-normal }
                """)).train(d[0].toLoaded(3), d[1].toLoaded(3));
        TrainingResult linear = new Trainer(TestSpark.session(), TestConfigs.of(common + "model.type = softmax\n",
                "training.epochs=6")).train(d[0].toLoaded(3), d[1].toLoaded(3));
        double mlpAcc = mlp.finalMetrics().get("validationAccuracy");
        double linAcc = linear.finalMetrics().get("validationAccuracy");
        assertTrue(mlpAcc >= 0.93, "mlp held-out accuracy " + mlpAcc);
        assertTrue(linAcc < 0.70, "a linear model cannot solve XOR: " + linAcc);
    }

    private static double mse(TrainingResult r, InMemoryData data) {
        ModelArchitecture a = r.architecture();
        Network net = a.toNetwork();
        int n = data.rows(), d = a.numFeatures();
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) x[i + j * n] = data.x[i][j];
        Matrix pred = net.predict(r.params(), Matrix.wrap(n, d, x), net.newWorkspace(n));
        double s = 0;
        for (int i = 0; i < n; i++) {
            double e = pred.get(i, 0) - data.y[i];
            s += e * e;
        }
        return s / n;
    }

    /** Least squares with intercept: solve (AᵀA) β = Aᵀy with LAPACK dposv, A = [X 1]. */
    private static double normalEquationMse(InMemoryData data) {
        int n = data.rows(), d = data.x[0].length, k = d + 1;
        double[] ata = new double[k * k];
        double[] aty = new double[k];
        double[] row = new double[k];
        for (int i = 0; i < n; i++) {
            System.arraycopy(data.x[i], 0, row, 0, d);
            row[d] = 1;
            for (int a = 0; a < k; a++) {
                aty[a] += row[a] * data.y[i];
                for (int b = 0; b < k; b++) ata[a + b * k] += row[a] * row[b];
            }
        }
        intW info = new intW(0);
        LAPACK.getInstance().dposv("U", k, 1, ata, k, aty, k, info);
        assertEquals(0, info.val, "dposv info");
        double s = 0;
        for (int i = 0; i < n; i++) {
            double p = aty[d];
            for (int j = 0; j < d; j++) p += aty[j] * data.x[i][j];
            s += (p - data.y[i]) * (p - data.y[i]);
        }
        return s / n;
    }

}
