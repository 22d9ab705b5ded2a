package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.descent.job.config.JobConfig;
import org.descent.job.exchange.AllReduceEngine;
import org.descent.job.fault.Faults;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The allreduce exchange (training.exchange = allreduce) on the shared local[2] session: 2 partitions = 2 barrier
 * tasks that exchange gradients through memory or over loopback TCP. It must give the same bits as broadcast-collect,
 * be deterministic, survive a failed task and learn (local SGD's exact maths: exchange/LocalSgdTest).
 */
class AllReduceTrainingTest {
    private static final String MLP = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [16], activation = relu, init = he-normal }
            optimizer { kind = momentum, learning-rate = 0.05, momentum = 0.9 }
            regularization.l2 = 0.0005
            clipping.max-norm = 5
            data.scaling = standard
            training { epochs = 2, batch-size = 64, seed = 11, partitions = 2 }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static TrainingResult train(JobConfig cfg, InMemoryData train, InMemoryData val, int partitions) {
        return new Trainer(TestSpark.session(), cfg).train(train.toLoaded(partitions),
                val == null ? null : val.toLoaded(partitions));
    }

    private static void assertBitIdentical(double[] a, double[] b, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]), what + ": param " + i
                    + " " + a[i] + " vs " + b[i]);
        }
    }

    private static double maxRelativeDifference(double[] a, double[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double scale = Math.max(1e-3, Math.max(Math.abs(a[i]), Math.abs(b[i])));
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
        }
        return worst;
    }

    /** The Spark setting read by AllReduceEngine: "tcp" forces sockets although both tasks share this JVM. */
    private static final String TRANSPORT = AllReduceEngine.TRANSPORT_KEY;

    private static void transport(String t) {
        if (t == null) TestSpark.session().sparkContext().conf().remove(TRANSPORT);
        else TestSpark.session().sparkContext().conf().set(TRANSPORT, t);
    }

    /** Regularisation or clipping on: every task updates all parameters (the replicated update). */
    private static final String REPLICATED = MLP;
    /** Neither: each task updates only the chunk it owns (the sharded update), here with Adam's two state arrays. */
    private static final String SHARDED = MLP.replace("regularization.l2 = 0.0005", "").replace("clipping.max-norm = 5", "")
            .replace("optimizer { kind = momentum, learning-rate = 0.05, momentum = 0.9 }",
                    "optimizer { kind = adam, learning-rate = 0.01 }");

    @Test
    void givenTheSameRun_whenTrainedWithAllreduceOverMemoryAndTcpAndWithBroadcastCollect_thenParametersAreBitIdentical() {
        InMemoryData data = InMemoryData.blobs(1500, 6, 4, 3);
        for (String recipe : List.of(REPLICATED, SHARDED)) {
            String update = recipe == SHARDED ? "sharded update" : "replicated update";
            for (String precision : List.of("float64", "float32")) {
                List<double[]> driverSteps = new ArrayList<>();
                double[] driver = new Trainer(TestSpark.session(), TestConfigs.of(recipe,
                        "training.exchange=broadcast-collect", "training.precision=" + precision))
                        .withStepListener((e, st, f) -> driverSteps.add(new double[] {f.loss(), f.gradNorm(), f.rows()}))
                        .train(data.toLoaded(2), null).params();
                for (String transport : List.of("auto", "tcp")) {
                    transport(transport);
                    List<double[]> steps = new ArrayList<>();
                    double[] allreduce;
                    try {
                        allreduce = new Trainer(TestSpark.session(), TestConfigs.of(recipe,
                                "training.exchange=allreduce", "training.precision=" + precision))
                                .withStepListener((e, st, f) -> steps.add(new double[] {f.loss(), f.gradNorm(), f.rows()}))
                                .train(data.toLoaded(2), null).params();
                    } finally {
                        transport(null);
                    }
                    String what = update + ", " + precision + ", allreduce over " + transport + " vs broadcast-collect";
                    assertTrue(maxRelativeDifference(driver, allreduce) <= 1e-10, what); // the bar ...
                    assertBitIdentical(driver, allreduce, what); // ... and what the design gives
                    assertEquals(driverSteps.size(), steps.size(), what);
                    for (int k = 0; k < steps.size(); k++) {
                        assertEquals(driverSteps.get(k)[0], steps.get(k)[0], 0.0, what + ": loss of step " + k);
                        assertEquals(driverSteps.get(k)[2], steps.get(k)[2], 0.0, what + ": rows of step " + k);
                        // the sharded update sums the norm's squares per owner: the same value up to rounding
                        assertEquals(driverSteps.get(k)[1], steps.get(k)[1], 1e-12 * driverSteps.get(k)[1],
                                what + ": gradient norm of step " + k);
                    }
                }
            }
        }
    }

    @Test
    void givenATaskThatFailsMidEpoch_whenTrainingWithAllreduce_thenTheSegmentRunsAgainFromTheLastEpochEndAndTheModelIsBitIdentical()
            throws java.io.IOException {
        InMemoryData data = InMemoryData.blobs(900, 5, 3, 5); // 15 steps per epoch: global step 20 is in epoch 2
        JobConfig cfg = TestConfigs.of(MLP, "training.exchange=allreduce");
        double[] clean = train(cfg, data, null, 2).params();
        java.nio.file.Path log = java.nio.file.Path.of("target", "test-spark.log");
        long before = java.nio.file.Files.exists(log) ? java.nio.file.Files.size(log) : 0;
        AtomicBoolean failed = new AtomicBoolean();
        double[] recovered;
        try (Faults.Installed f = Faults.install(new Faults.Hooks() {
            @Override
            public void beforeSegmentStep(int partition, long globalStep) {
                if (partition == 1 && globalStep == 20 && failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure at rank 1, global step 20");
                }
            }
        })) {
            recovered = train(cfg, data, null, 2).params();
        }
        assertTrue(failed.get(), "the fault was injected");
        assertBitIdentical(clean, recovered, "after a failed and re-run segment");
        String newLog = java.nio.file.Files.readString(log).substring((int) before);
        // both epochs run in one segment; the driver has epoch 1's end when the failure comes, and re-runs from it
        assertTrue(newLog.contains("allreduce segment (epochs 1-2) failed (attempt 1/4)")
                && newLog.contains("running it again from the end of epoch 1") && newLog.contains("injected failure"),
                newLog);
    }

    @Test
    void givenLocalSgdOverTcp_whenTrainingTwice_thenBitIdenticalToTheInMemoryTransport() {
        InMemoryData data = InMemoryData.blobs(900, 5, 3, 5);
        JobConfig cfg = TestConfigs.of(MLP, "training.local-steps=3");
        double[] memory = train(cfg, data, null, 2).params();
        transport("tcp");
        try {
            assertBitIdentical(memory, train(cfg, data, null, 2).params(), "local SGD, memory vs tcp");
        } finally {
            transport(null);
        }
    }

    @Test
    void givenAllreduce_whenTrainingTwiceAndWithAnotherSeed_thenSameSeedIsBitIdenticalAndOtherSeedDiffers() {
        InMemoryData data = InMemoryData.blobs(900, 5, 3, 5);
        double[] a = train(TestConfigs.of(MLP, "training.exchange=allreduce"), data, null, 2).params();
        double[] b = train(TestConfigs.of(MLP, "training.exchange=allreduce"), data, null, 2).params();
        assertBitIdentical(a, b, "two allreduce runs");
        double[] c = train(TestConfigs.of(MLP, "training.exchange=allreduce", "training.seed=12"), data, null, 2).params();
        assertFalse(Arrays.equals(a, c), "a different seed must give different parameters");
    }

    @Test
    void givenAllreduceAndCheckpointEverySteps_whenStepping_thenTheDriverSeesEveryStepInOrderAndStateAtBoundaries() {
        InMemoryData data = InMemoryData.blobs(1000, 4, 3, 7); // 16 steps per epoch at batch 64
        List<String> steps = new ArrayList<>();
        List<Long> stateAt = new ArrayList<>();
        JobConfig cfg = TestConfigs.of(MLP, "training.exchange=allreduce");
        TrainingResult r = new Trainer(TestSpark.session(), cfg)
                .withStepListener((epoch, step, f) -> {
                    steps.add(epoch + ":" + step);
                    assertTrue(Double.isFinite(f.loss()) && f.loss() > 0, "loss " + f.loss());
                    assertTrue(f.rows() >= 60 && f.rows() <= 64, "rows " + f.rows());
                })
                .withCheckpointHook(new CheckpointHook() {
                    @Override
                    public boolean wants(int nextEpoch, int nextStep, int stepsPerEpoch, int epochs, boolean epochEnd) {
                        if (!epochEnd) stateAt.add((long) nextEpoch * stepsPerEpoch + nextStep);
                        return false;
                    }

                    @Override
                    public void save(TrainingState s) {
                        throw new AssertionError("wants said no");
                    }

                    @Override
                    public long stateEvery() {
                        return 5;
                    }
                }).train(data.toLoaded(2), null);
        assertEquals(16, r.stepsPerEpoch());
        List<String> expected = new ArrayList<>();
        for (int e = 0; e < 2; e++) for (int s = 0; s < 16; s++) expected.add(e + ":" + s);
        assertEquals(expected, steps);
        // segments end at every multiple of 5 global steps and at each epoch end (16, 32)
        assertEquals(List.of(5L, 10L, 15L, 16L, 20L, 25L, 30L, 32L), stateAt);
        // and the result is still the same bits as one segment per epoch
        double[] plain = train(cfg, data, null, 2).params();
        assertBitIdentical(plain, r.params(), "segmented vs whole-epoch");
    }

    @Test
    void givenLocalSgdWithKFour_whenTrainingBlobs_thenItLearnsAndDiffersFromSynchronous() {
        InMemoryData[] d = InMemoryData.blobs(3000, 5, 4, 31).split(2400);
        TrainingResult sync = train(TestConfigs.of(MLP, "training.epochs=4"), d[0], d[1], 2);
        TrainingResult local = train(TestConfigs.of(MLP, "training.epochs=4", "training.local-steps=4"), d[0], d[1], 2);
        double accLocal = local.finalMetrics().get("validationAccuracy");
        double accSync = sync.finalMetrics().get("validationAccuracy");
        assertTrue(accLocal >= 0.95, "local SGD k=4 held-out accuracy " + accLocal + " (sync " + accSync + ")");
        assertFalse(Arrays.equals(sync.params(), local.params()), "k=4 must not be synchronous SGD");
    }

    @Test
    void givenLocalSgdWithMorePartitionsThanTaskSlots_whenTraining_thenTheErrorNamesTheFix() {
        // synchronous allreduce runs 3 partitions on 2 slots (PartitionGroupsTest); local SGD needs a task each
        InMemoryData data = InMemoryData.blobs(300, 4, 3, 1);
        TrainingFailedException e = assertThrows(TrainingFailedException.class,
                () -> train(TestConfigs.of(MLP, "training.local-steps=2", "training.partitions=3"), data, null, 3));
        assertTrue(e.getMessage().contains("training.partitions = 3") && e.getMessage().contains("2 task slots")
                && e.getMessage().contains("local SGD runs one task per partition"), e.getMessage());
        TrainingFailedException e2 = assertThrows(TrainingFailedException.class,
                () -> train(TestConfigs.of(MLP, "training.exchange=broadcast-collect", "training.local-steps=2"), data,
                        null, 2));
        assertTrue(e2.getMessage().contains("training.local-steps = 2 needs the allreduce exchange"), e2.getMessage());
    }

    @Test
    void givenAutoWithFewPartitions_whenTraining_thenAllreduceIsUsedAndTheModelLearns() {
        InMemoryData[] d = InMemoryData.blobs(3000, 5, 4, 31).split(2400);
        TrainingResult r = train(TestConfigs.of(MLP, "training.epochs=3"), d[0], d[1], 2);
        double acc = r.finalMetrics().get("validationAccuracy");
        assertTrue(acc >= 0.95, "held-out accuracy " + acc);
        double[] driver = train(TestConfigs.of(MLP, "training.epochs=3", "training.exchange=broadcast-collect"), d[0],
                d[1], 2).params();
        assertArrayEquals(driver, r.params(), "auto (allreduce here) and broadcast-collect agree");
    }
}
