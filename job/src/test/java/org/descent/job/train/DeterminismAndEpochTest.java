package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.descent.job.config.JobConfig;
import org.descent.job.exchange.BatchPlan;
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
        int partitions = 3;
        int[] sizes = {335, 334, 334}; // InMemoryData.toLoaded: row i in partition i % 3, in id order
        List<Long> trained = new ArrayList<>();
        int[] stepsSeen = new int[epochs];
        new Trainer(TestSpark.session(), cfg).withStepListener((epoch, step, f) -> {
            stepsSeen[epoch]++;
            trained.add(f.rows());
        }).train(data.toLoaded(partitions), null);
        int expectedSteps = (1003 + 63) / 64; // ceil(N / B) = 16
        // the rows each step takes come from the pure BatchPlan (the exchange tests pin that the engines gather
        // exactly the plan's slices); the trainer must have run its steps with those row counts
        BatchPlan plan = new BatchPlan(cfg.training().seed(), epochs, expectedSteps, 64);
        List<Long> planned = new ArrayList<>();
        List<List<Long>> orders = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            assertEquals(expectedSteps, stepsSeen[e]);
            int[] visits = new int[data.rows()];
            List<Long> order = new ArrayList<>();
            int[][] perms = new int[partitions][];
            for (int p = 0; p < partitions; p++) {
                perms[p] = new int[sizes[p]];
                plan.permutation(e, p, perms[p]);
            }
            for (int s = 0; s < expectedSteps; s++) {
                long rows = 0;
                for (int p = 0; p < partitions; p++) {
                    for (int i = plan.sliceStart(s, sizes[p]); i < plan.sliceEnd(s, sizes[p]); i++) {
                        long id = p + (long) perms[p][i] * partitions;
                        visits[(int) id]++;
                        order.add(id);
                        rows++;
                    }
                }
                planned.add(rows);
                assertTrue(rows >= 1003 / 16 - 3 && rows <= 64, "global batch " + rows + " should be within P of N/S and <= B");
            }
            for (int i = 0; i < data.rows(); i++) assertEquals(1, visits[i], "epoch " + e + " row " + i);
            orders.add(order);
        }
        assertEquals(planned, trained, "rows per step: trainer vs batch plan");
        assertFalse(orders.get(0).equals(orders.get(1)), "epochs 0 and 1 must use different orders");
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

    @Test
    void givenAValidationSet_whenTraining_thenEachEpochsTimeIsItsStepTimePlusItsValidationTime() {
        InMemoryData[] d = InMemoryData.blobs(700, 4, 3, 3).split(560);
        List<EpochReport> reports = new ArrayList<>();
        TrainingResult r = new Trainer(TestSpark.session(), TestConfigs.of(MLP))
                .withEpochListener((rep, metrics, params, step) -> reports.add(rep))
                .train(d[0].toLoaded(3), d[1].toLoaded(3));
        assertEquals(r.epochs(), reports);
        double elapsed = 0;
        for (EpochReport e : reports) {
            assertTrue(e.trainSeconds() > 0 && e.validationSeconds() > 0, e.toString());
            assertEquals(e.trainSeconds() + e.validationSeconds(), e.seconds(), 0.0, e.toString());
            assertEquals(560 / e.trainSeconds(), e.rowsPerSecond(), 1e-9 * e.rowsPerSecond(), "rows/s of the steps");
            // the epochs' times do not overlap (validated by the ranks: on their timeline, the driver may lag behind)
            elapsed += e.seconds();
            assertTrue(e.elapsedSeconds() >= elapsed - 1e-9, "the run's time includes every epoch's: " + e);
            assertEquals(e.validationLoss(), e.metrics().get("validationLoss"), 0.0);
            assertEquals(e.trainLoss(), e.metrics().get("trainLoss"), 0.0);
        }
        assertTrue(reports.get(0).line().contains(String.format(java.util.Locale.ROOT, "(train %.1fs + val %.1fs)",
                reports.get(0).trainSeconds(), reports.get(0).validationSeconds())), reports.get(0).line());
    }
}
