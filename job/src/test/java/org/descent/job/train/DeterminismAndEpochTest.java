package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.descent.job.config.JobConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reproducibility and epoch semantics of the real loop. */
class DeterminismAndEpochTest {
    private static final String MLP = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [8], activation = tanh, init = xavier-normal }
            optimizer { kind = momentum, learning-rate = 0.1 }
            regularization.l2 = 0.001
            clipping.max-norm = 5
            data.scaling = standard
            training { epochs = 3, batch-size = 50, seed = 7 }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    @Test
    void givenSameConfigSeedAndPartitions_whenTrainingTwice_thenParametersAreBitIdentical() {
        InMemoryData data = InMemoryData.blobs(700, 4, 3, 3);
        double[] a = new Trainer(TestSpark.session(), TestConfigs.of(MLP)).train(data.toLoaded(3), null).params();
        double[] b = new Trainer(TestSpark.session(), TestConfigs.of(MLP)).train(data.toLoaded(3), null).params();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]), "param " + i);
        }
        double[] c = new Trainer(TestSpark.session(), TestConfigs.of(MLP, "training.seed=8"))
                .train(data.toLoaded(3), null).params();
        assertFalse(Arrays.equals(a, c), "a different seed must give different parameters");
    }

    @Test
    void givenUnevenPartitions_whenTrainingThreeEpochs_thenEveryRowIsVisitedExactlyOncePerEpochInANewOrder() {
        InMemoryData data = InMemoryData.blobs(1003, 4, 3, 9); // 335/334/334 rows over 3 partitions
        JobConfig cfg = TestConfigs.of(MLP, "training.batch-size=64");
        int epochs = cfg.training().epochs();
        int[][] visits = new int[epochs][data.rows()];
        List<List<Long>> orders = new ArrayList<>();
        for (int e = 0; e < epochs; e++) orders.add(new ArrayList<>());
        int[] steps = new int[epochs];
        List<Long> batchSizes = new ArrayList<>();
        new Trainer(TestSpark.session(), cfg).recordVisits(true).withStepListener((epoch, step, r, loss, norm) -> {
            steps[epoch]++;
            batchSizes.add(r.rows());
            long count = 0;
            for (long[] part : r.visitedIds()) {
                for (long id : part) {
                    visits[epoch][(int) id]++;
                    orders.get(epoch).add(id);
                    count++;
                }
            }
            assertEquals(r.rows(), count, "row count reported = rows gathered");
        }).train(data.toLoaded(3), null);
        int expectedSteps = (1003 + 63) / 64; // ceil(N / B) = 16
        for (int e = 0; e < epochs; e++) {
            assertEquals(expectedSteps, steps[e]);
            for (int i = 0; i < data.rows(); i++) {
                assertEquals(1, visits[e][i], "epoch " + e + " row " + i);
            }
        }
        assertFalse(orders.get(0).equals(orders.get(1)), "epochs 0 and 1 must use different orders");
        for (long b : batchSizes) {
            assertTrue(b >= 1003 / 16 - 3 && b <= 64, "global batch " + b + " should be within P of N/S and <= B");
        }
    }

    @Test
    void givenDifferentPartitionCounts_whenTraining_thenEachIsReproducibleOnItsOwn() {
        InMemoryData data = InMemoryData.blobs(400, 4, 3, 5);
        double[] p2a = new Trainer(TestSpark.session(), TestConfigs.of(MLP, "training.partitions=2"))
                .train(data.toLoaded(2), null).params();
        double[] p2b = new Trainer(TestSpark.session(), TestConfigs.of(MLP, "training.partitions=2"))
                .train(data.toLoaded(2), null).params();
        assertArrayEquals(p2a, p2b);
    }
}
