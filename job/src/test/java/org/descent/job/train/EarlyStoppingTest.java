package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.descent.job.config.ConfigError;
import org.descent.job.config.EarlyStoppingConfig;
import org.descent.job.config.EarlyStoppingConfig.Metric;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The early-stopping rule on constructed curves, its config checks, and the trainer keeping the best epoch. */
class EarlyStoppingTest {

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    /** Feeds the series; returns the 0-based epoch at which STOP came, or -1. */
    private static int stopEpoch(EarlyStopping es, double... series) {
        for (int e = 0; e < series.length; e++) {
            if (es.offer(e, series[e]) == EarlyStopping.Decision.STOP) return e;
        }
        return -1;
    }

    @Test
    void givenALossCurveWithItsMinimumAtIndex3_whenPatience2_thenStopsAtIndex5KeepingIndex3() {
        EarlyStopping es = new EarlyStopping(new EarlyStoppingConfig(true, Metric.VALIDATION_LOSS, 2, 0.0));
        assertEquals(5, stopEpoch(es, 1.0, 0.8, 0.7, 0.65, 0.66, 0.70, 0.5));
        assertEquals(3, es.bestEpoch());
        assertEquals(0.65, es.bestValue());
    }

    @Test
    void givenAnAccuracyCurve_whenImprovementsAreBelowMinDelta_thenTheyDoNotCount() {
        EarlyStopping es = new EarlyStopping(new EarlyStoppingConfig(true, Metric.ACCURACY, 3, 0.01));
        // 0.80 best; 0.805 and 0.809 are within min-delta; 0.85 would come too late
        assertEquals(3, stopEpoch(es, 0.80, 0.805, 0.809, 0.79, 0.85));
        assertEquals(0, es.bestEpoch());
    }

    @Test
    void givenNaNValuesAndSteadyImprovement_whenOffered_thenNaNNeverImprovesAndNoStop() {
        EarlyStopping es = new EarlyStopping(new EarlyStoppingConfig(true, Metric.AUC, 2, 0.0));
        assertEquals(EarlyStopping.Decision.CONTINUE, es.offer(0, Double.NaN));
        assertEquals(EarlyStopping.Decision.IMPROVED, es.offer(1, 0.7));
        assertEquals(EarlyStopping.Decision.IMPROVED, es.offer(2, 0.8));
        assertEquals(EarlyStopping.Decision.CONTINUE, es.offer(3, Double.NaN));
        assertEquals(EarlyStopping.Decision.STOP, es.offer(4, 0.8));
        assertEquals(2, es.bestEpoch());
    }

    @Test
    void givenEarlyStoppingWithoutValidationOrWithAnUnfitMetric_whenParsingTheConfig_thenConfigErrors() {
        ConfigError noVal = assertThrows(ConfigError.class, () -> TestConfigs.of(
                "training.early-stopping.enabled = true\n"));
        assertTrue(noVal.getMessage().contains("early stopping needs a validation set"), noVal.getMessage());
        ConfigError auc = assertThrows(ConfigError.class, () -> TestConfigs.of("""
                data.label-type = class-index
                model.type = softmax
                training { validation-fraction = 0.2, early-stopping { enabled = true, metric = auc } }
                """));
        assertTrue(auc.getMessage().contains("metric auc does not fit model.type = softmax"), auc.getMessage());
        ConfigError bad = assertThrows(ConfigError.class, () -> TestConfigs.of(
                "training { validation-fraction = 0.2, early-stopping { enabled = true, patience = 0 } }\n"));
        assertTrue(bad.getMessage().contains("training.early-stopping.patience"), bad.getMessage());
    }

    @Test
    void givenValidationLabelsThatContradictTraining_whenTrainingWithEarlyStopping_thenStopsAndReturnsTheBestEpochsParams() {
        // Given blobs to learn, and a validation set of the same blobs with labels rotated by one class: as the
        // model learns the training labels its validation loss rises, after the first epoch at the latest
        InMemoryData train = InMemoryData.blobs(600, 4, 3, 5);
        InMemoryData val = InMemoryData.blobs(300, 4, 3, 5);
        for (int i = 0; i < val.y.length; i++) val.y[i] = (val.y[i] + 1) % 3;
        List<double[]> paramsAt = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        TrainingResult r = new Trainer(TestSpark.session(), TestConfigs.of("""
                data { label-type = class-index, validation-path = "mem:val" }
                model.type = softmax
                optimizer { kind = sgd, learning-rate = 0.05 }
                training { epochs = 12, batch-size = 100, early-stopping { enabled = true, patience = 3 } }
                """)).withEpochListener((rep, metrics, params, step) -> {
                    paramsAt.add(params.clone());
                    valLoss.add(metrics.get("validationLoss"));
                }).train(train.toLoaded(3), val.toLoaded(3));

        // Then: the run stopped patience epochs after the minimum of the recorded curve, before epoch 12
        int best = 0;
        for (int e = 1; e < valLoss.size(); e++) if (valLoss.get(e) < valLoss.get(best)) best = e;
        assertEquals(best + 1 + 3, paramsAt.size(), "epochs run; curve " + valLoss);
        assertTrue(paramsAt.size() < 12, "stopped early: " + valLoss);
        assertEquals(paramsAt.size(), r.epochs().size());
        assertEquals(best + 1, r.finalMetrics().get("bestEpoch"));
        assertEquals(valLoss.get(best), r.finalMetrics().get("validationLoss"));
        // and the returned (saved) parameters are those of the best epoch, not the last
        assertTrue(java.util.Arrays.equals(paramsAt.get(best), r.params()));
        assertTrue(!java.util.Arrays.equals(paramsAt.get(paramsAt.size() - 1), r.params()));
        assertTrue(Map.copyOf(r.finalMetrics()).get("epochs") == paramsAt.size());
    }
}
