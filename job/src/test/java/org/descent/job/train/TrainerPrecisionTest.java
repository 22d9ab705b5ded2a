package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code training.precision = float32} end to end on a local[2] session: the same quality bar as the
 * float64 runs in {@link TrainerQualityTest}, parameters close to (but not bit-equal with) float64's, and
 * float32 itself deterministic (the partial sums are still added in partition order, in double).
 */
class TrainerPrecisionTest {
    private static final String SOFTMAX = """
            data.label-type = class-index
            model.type = softmax
            optimizer { kind = adam, learning-rate = 0.05 }
            training { epochs = 10, batch-size = 64 }
            """;
    private static final String MLP = """
            data.label-type = class-index
            optimizer { kind = adam, learning-rate = 0.02 }
            training { epochs = 25, batch-size = 64 }
            model { type = mlp, hidden-layers = [32, 32], activation = relu, init = he-normal }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static TrainingResult train(String conf, String precision, InMemoryData[] d) {
        return new Trainer(TestSpark.session(), TestConfigs.of(conf, "training.precision=" + precision))
                .train(d[0].toLoaded(3), d[1].toLoaded(3));
    }

    /** max_i |a_i - b_i| / max_i |b_i|: the largest parameter difference relative to the parameters' scale. */
    private static double maxRelativeDifference(double[] a, double[] b) {
        assertEquals(b.length, a.length);
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    @Test
    void givenFourGaussianBlobs_whenTrainingSoftmaxInFloat32_thenSameBarCloseToFloat64AndDeterministic() {
        InMemoryData[] d = InMemoryData.blobs(3000, 5, 4, 31).split(2400);
        TrainingResult f64 = train(SOFTMAX, "float64", d);
        TrainingResult f32 = train(SOFTMAX, "float32", d);
        TrainingResult f32again = train(SOFTMAX, "float32", d);
        double acc64 = f64.finalMetrics().get("validationAccuracy");
        double acc32 = f32.finalMetrics().get("validationAccuracy");
        double rel = maxRelativeDifference(f32.params(), f64.params());
        System.out.printf("softmax: accuracy float64 %.4f float32 %.4f, max relative parameter difference %.3e%n",
                acc64, acc32, rel);
        assertTrue(acc32 >= 0.95, "float32 held-out accuracy " + acc32);
        assertTrue(Math.abs(acc32 - acc64) <= 0.01, "float32 " + acc32 + " vs float64 " + acc64);
        assertTrue(rel > 0, "float32 must really run in float: parameters bit-equal to float64's");
        assertTrue(rel < 1e-5, "float32 parameters too far from float64's: " + rel);
        assertArrayEquals(f32.params(), f32again.params(), 0.0, "float32 runs must be bit-identical");
    }

    @Test
    void givenXorData_whenTrainingMlpInFloat32_thenHeldOutAccuracyAbove93PercentLikeFloat64() {
        InMemoryData[] d = InMemoryData.xor(3000, 41).split(2400);
        TrainingResult f64 = train(MLP, "float64", d);
        TrainingResult f32 = train(MLP, "float32", d);
        double acc64 = f64.finalMetrics().get("validationAccuracy");
        double acc32 = f32.finalMetrics().get("validationAccuracy");
        double rel = maxRelativeDifference(f32.params(), f64.params());
        System.out.printf("mlp: accuracy float64 %.4f float32 %.4f, max relative parameter difference %.3e%n",
                acc64, acc32, rel);
        assertTrue(acc32 >= 0.93, "float32 mlp held-out accuracy " + acc32);
        assertTrue(Math.abs(acc32 - acc64) <= 0.01, "float32 " + acc32 + " vs float64 " + acc64);
        assertTrue(rel > 0, "float32 must really run in float: parameters bit-equal to float64's");
        assertTrue(rel < 1e-3, "float32 mlp parameters too far from float64's: " + rel);
    }
}
