package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Conv/pool and LSTM models (issue #15) through both exchanges in both precisions on the shared local[2] session:
 * broadcast-collect and allreduce must give the same bits (each engine is deterministic on its own: two different
 * code paths agreeing bit for bit on every parameter). Small: 256 rows of 16 features read as a 1x4x4 image or 4
 * steps of 4, 1 epoch of 4 steps per run, 8 runs (79 s wall at load average 20-26, mostly Spark job launches; not measured idle).
 */
class StackEngineBitIdentityTest {
    private static final String BASE = """
            data.label-type = class-index
            optimizer { kind = adam, learning-rate = 0.01 }
            clipping.max-norm = 5
            training { epochs = 1, batch-size = 64, seed = 5, partitions = 2 }
            """;
    private static final String CNN = BASE + """
            model { type = mlp, init = he-normal, input-shape = [1, 4, 4]
              layers = [{type = conv2d, filters = 3, kernel = 2, padding = 1, activation = relu},
                        {type = max-pool, size = 2}, {type = flatten}] }
            """;
    private static final String LSTM = BASE + """
            model { type = mlp, input-shape = [4, 4], layers = [{type = lstm, units = 5}] }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static double[] train(String recipe, String exchange, String precision, InMemoryData data) {
        return new Trainer(TestSpark.session(), TestConfigs.of(recipe, "training.exchange=" + exchange,
                "training.precision=" + precision)).train(data.toLoaded(2), null).params();
    }

    @Test
    void givenConvAndLstmModelsWhenTrainedWithEitherExchangeInEitherPrecisionThenTheBitsAreTheSame() {
        InMemoryData data = InMemoryData.blobs(256, 16, 3, 9);
        for (String recipe : List.of(CNN, LSTM)) {
            String name = recipe == CNN ? "cnn" : "lstm";
            double[] f64 = null;
            for (String precision : List.of("float64", "float32")) {
                double[] bc = train(recipe, "broadcast-collect", precision, data);
                double[] ar = train(recipe, "allreduce", precision, data);
                for (int i = 0; i < bc.length; i++) {
                    String what = name + " " + precision + " param " + i;
                    assertEquals(Double.doubleToRawLongBits(bc[i]), Double.doubleToRawLongBits(ar[i]), what);
                }
                if (f64 == null) {
                    f64 = bc;
                } else {
                    // float32 is really float32: not the float64 bits
                    assertFalse(java.util.Arrays.equals(f64, bc), name + ": float32 run equals the float64 run");
                }
            }
        }
    }
}
