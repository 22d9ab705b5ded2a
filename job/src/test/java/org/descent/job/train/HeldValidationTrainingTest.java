package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.descent.job.config.JobConfig;
import org.descent.job.data.RowBlock;
import org.descent.job.exchange.AllReduceEngine;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.score.Scorer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Validation in local mode (issue 17): the validation set is held in the driver's JVM and scored by the allreduce
 * ranks at each epoch end (one barrier job for all epochs, or one per epoch) or by driver threads (broadcast-collect);
 * every epoch's figures are the bits of the former path, a Spark job over the cached validation blocks
 * ({@link Scorer#evaluate}), with more partitions than task slots.
 */
class HeldValidationTrainingTest {
    private static final String MLP = """
            data { label-type = class-index, scaling = none }
            model { type = mlp, hidden-layers = [16], activation = relu, init = he-normal }
            optimizer { kind = momentum, learning-rate = 0.05, momentum = 0.9 }
            training { epochs = 3, batch-size = 100, seed = 8, partitions = 3 }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    /** Each epoch's parameters and metrics of one run. */
    private record Seen(List<double[]> params, List<Map<String, Double>> metrics, List<EpochReport> reports) {}

    private static Seen train(JobConfig cfg, InMemoryData train, InMemoryData val, boolean span) {
        List<double[]> params = new ArrayList<>();
        List<Map<String, Double>> metrics = new ArrayList<>();
        TestSpark.session().sparkContext().conf().set(AllReduceEngine.SPAN_KEY, Boolean.toString(span));
        try {
            TrainingResult r = new Trainer(TestSpark.session(), cfg)
                    .withEpochListener((rep, m, p, step) -> {
                        params.add(p.clone());
                        metrics.add(new TreeMap<>(m));
                    })
                    .train(train.toLoaded(3), val.toLoaded(4));
            return new Seen(params, metrics, r.epochs());
        } finally {
            TestSpark.session().sparkContext().conf().remove(AllReduceEngine.SPAN_KEY);
        }
    }

    /** The former validation: a Spark job over the validation blocks as the run stores them, in its precision. */
    private static Map<String, Double> jobFigures(JobConfig cfg, ModelArchitecture arch, JavaRDD<RowBlock> stored,
                                                  double[] params) {
        try (Scorer s = Scorer.forValidation(TestSpark.jsc(), arch, cfg.training().precision(), 1L << 20)) {
            return new TreeMap<>(s.evaluate(stored, params, "reference").asMap("validation"));
        }
    }

    @Test
    void givenLocalModeAndFourValidationPartitions_whenRanksOrDriverThreadsValidate_thenEveryEpochHasTheJobsBits() {
        InMemoryData[] d = InMemoryData.blobs(900, 5, 4, 17).split(700);
        for (String precision : List.of("float64", "float32")) {
            for (String exchange : List.of("allreduce", "broadcast-collect")) {
                for (boolean span : new boolean[] {true, false}) {
                    if (!span && exchange.equals("broadcast-collect")) continue; // it never spans
                    JobConfig cfg = TestConfigs.of(MLP, "training.exchange=" + exchange,
                            "training.precision=" + precision);
                    Seen seen = train(cfg, d[0], d[1], span);
                    ModelArchitecture arch = ModelFactory.build(cfg.model(), 5, 4);
                    JavaRDD<RowBlock> stored = d[1].toLoaded(4).stored(null, DataStage.storage(cfg)).cache();
                    try {
                        assertEquals(3, seen.params().size());
                        for (int e = 0; e < 3; e++) {
                            String what = precision + " " + exchange + (span ? " spanning" : "") + ", epoch " + (e + 1);
                            Map<String, Double> got = new TreeMap<>(seen.metrics().get(e));
                            got.remove("trainLoss");
                            assertEquals(jobFigures(cfg, arch, stored, seen.params().get(e)), got, what);
                            EpochReport rep = seen.reports().get(e);
                            assertTrue(rep.trainSeconds() > 0 && rep.validationSeconds() > 0, what + ": " + rep);
                        }
                    } finally {
                        stored.unpersist(false);
                    }
                }
            }
        }
    }
}
