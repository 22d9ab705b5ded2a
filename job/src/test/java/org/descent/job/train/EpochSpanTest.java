package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.descent.job.config.JobConfig;
import org.descent.job.exchange.AllReduceEngine;
import org.descent.job.fault.Faults;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several epochs in one allreduce barrier job ({@link AllReduceEngine#SPAN_KEY}, issue 17): the same steps, epoch
 * ends, validation figures, early-stopping decision and bits as one job per epoch and as broadcast-collect; the
 * Spark stage of every step (recorded through the fault seam, which runs in the task) shows how many jobs ran.
 */
class EpochSpanTest {
    private static final String MLP = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [8], activation = relu, init = he-normal }
            optimizer { kind = adam, learning-rate = 0.02 }
            data.scaling = standard
            training { epochs = 4, batch-size = 50, seed = 3, partitions = 2 }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    /** What one training run showed: every epoch's parameters and metrics, every step's figures, the stages. */
    private record Seen(TrainingResult result, List<double[]> epochParams, List<Map<String, Double>> epochMetrics,
                        List<String> steps, Set<Integer> stages) {}

    private static Seen train(JobConfig cfg, InMemoryData train, InMemoryData val, boolean span) {
        List<double[]> params = new ArrayList<>();
        List<Map<String, Double>> metrics = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        Set<Integer> stages = ConcurrentHashMap.newKeySet();
        TestSpark.session().sparkContext().conf().set(AllReduceEngine.SPAN_KEY, Boolean.toString(span));
        try (Faults.Installed f = Faults.install(new Faults.Hooks() {
            @Override
            public void beforeSegmentStep(int rank, long globalStep) {
                stages.add(TaskContext.get().stageId());
            }
        })) {
            TrainingResult r = new Trainer(TestSpark.session(), cfg)
                    .withStepListener((e, s, fig) -> steps.add(e + ":" + s + " " + fig.loss() + " " + fig.rows()))
                    .withEpochListener((rep, m, p, step) -> {
                        params.add(p.clone());
                        metrics.add(new TreeMap<>(m));
                    })
                    .train(train.toLoaded(2), val == null ? null : val.toLoaded(2));
            return new Seen(r, params, metrics, steps, stages);
        } finally {
            TestSpark.session().sparkContext().conf().remove(AllReduceEngine.SPAN_KEY);
        }
    }

    private static void assertBitIdentical(double[] a, double[] b, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]), what + ": param " + i);
        }
    }

    private static void assertSameRun(Seen a, Seen b, String what) {
        assertEquals(a.epochParams().size(), b.epochParams().size(), what + ": epochs");
        for (int e = 0; e < a.epochParams().size(); e++) {
            assertBitIdentical(a.epochParams().get(e), b.epochParams().get(e), what + ", epoch " + (e + 1));
        }
        assertEquals(a.epochMetrics(), b.epochMetrics(), what + ": epoch metrics");
        assertEquals(a.steps(), b.steps(), what + ": steps");
        assertBitIdentical(a.result().params(), b.result().params(), what + ": result");
    }

    @Test
    void givenAllreduceWithDriverValidation_whenAllEpochsRunInOneJob_thenEveryEpochIsBitIdenticalToOneJobPerEpoch() {
        InMemoryData train = InMemoryData.blobs(700, 5, 3, 21); // 14 steps per epoch
        InMemoryData val = InMemoryData.blobs(200, 5, 3, 22);
        Seen spanned = train(TestConfigs.of(MLP, "training.exchange=allreduce"), train, val, true);
        Seen perEpoch = train(TestConfigs.of(MLP, "training.exchange=allreduce"), train, val, false);
        Seen driver = train(TestConfigs.of(MLP, "training.exchange=broadcast-collect"), train, val, true);

        assertEquals(1, spanned.stages().size(), "one barrier stage ran all 4 epochs: " + spanned.stages());
        assertEquals(4, perEpoch.stages().size(), "one barrier stage per epoch: " + perEpoch.stages());
        assertEquals(4 * 14, spanned.steps().size());
        assertSameRun(spanned, perEpoch, "one job vs one job per epoch");
        assertSameRun(spanned, driver, "one allreduce job vs broadcast-collect");
    }

    @Test
    void givenEarlyStoppingInsideOneJob_whenTheValidationLossRises_thenItStopsWhereOneJobPerEpochStopsWithTheSameBits() {
        // validation labels rotated by one class: the validation loss rises as the model learns the training labels
        InMemoryData train = InMemoryData.blobs(600, 4, 3, 5);
        InMemoryData val = InMemoryData.blobs(300, 4, 3, 5);
        for (int i = 0; i < val.y.length; i++) val.y[i] = (val.y[i] + 1) % 3;
        JobConfig cfg = TestConfigs.of("""
                data { label-type = class-index, validation-path = "mem:val" }
                model.type = softmax
                optimizer { kind = sgd, learning-rate = 0.05 }
                training { epochs = 12, batch-size = 100, exchange = allreduce, early-stopping { enabled = true, patience = 2 } }
                """);
        Seen spanned = train(cfg, train, val, true);
        Seen perEpoch = train(cfg, train, val, false);

        assertTrue(spanned.result().epochs().size() < 12, "stopped early: " + spanned.epochMetrics());
        assertEquals(1, spanned.stages().size(), "one barrier stage until the stop: " + spanned.stages());
        assertSameRun(spanned, perEpoch, "early stopping, one job vs one job per epoch");
        assertEquals(perEpoch.result().finalMetrics(), spanned.result().finalMetrics());
        assertEquals(perEpoch.result().epochs().size(), spanned.result().epochs().size());
    }
}
