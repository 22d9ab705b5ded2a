package org.descent.math.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {

    /** O(P N) pairwise count: P(s_pos > s_neg) + 0.5 P(s_pos == s_neg). */
    private static double bruteForceAuc(double[] s, int[] y) {
        double sum = 0;
        long pairs = 0;
        for (int i = 0; i < s.length; i++) {
            if (y[i] != 1) continue;
            for (int k = 0; k < s.length; k++) {
                if (y[k] != 0) continue;
                pairs++;
                sum += s[i] > s[k] ? 1 : s[i] == s[k] ? 0.5 : 0;
            }
        }
        return sum / pairs;
    }

    @Test
    void givenLosses_whenMerged_thenWeightedMean() {
        LossMean a = new LossMean().add(1).add(3);          // sum 4, n 2
        LossMean b = new LossMean().addSum(10, 3);           // sum 10, n 3
        assertEquals(14.0 / 5, a.merge(b).mean(), 1e-15);
        assertEquals(5, a.count());
        assertTrue(Double.isNaN(new LossMean().mean()));
    }

    @Test
    void givenHandConfusion_whenComputed_thenAccuracyPrecisionRecall() {
        // actual:    0 0 0 1 1 2 2 2 2 2
        // predicted: 0 0 1 1 2 2 2 2 0 1
        // C = [[2,1,0],[0,1,1],[1,1,3]]
        int[] actual = {0, 0, 0, 1, 1, 2, 2, 2, 2, 2};
        int[] predicted = {0, 0, 1, 1, 2, 2, 2, 2, 0, 1};
        MulticlassMetrics whole = new MulticlassMetrics(3).addAll(actual, predicted);
        MulticlassMetrics merged = new MulticlassMetrics(3);
        MulticlassMetrics other = new MulticlassMetrics(3);
        for (int i = 0; i < actual.length; i++) (i < 4 ? merged : other).add(actual[i], predicted[i]);
        merged.merge(other);

        for (MulticlassMetrics m : new MulticlassMetrics[] {whole, merged}) {
            assertArrayEquals(new long[] {2, 1, 0}, m.confusionMatrix()[0]);
            assertArrayEquals(new long[] {0, 1, 1}, m.confusionMatrix()[1]);
            assertArrayEquals(new long[] {1, 1, 3}, m.confusionMatrix()[2]);
            assertEquals(0.6, m.accuracy(), 1e-15);        // (2+1+3)/10
            assertEquals(2.0 / 3, m.precision(0), 1e-15);  // 2/(2+0+1)
            assertEquals(1.0 / 3, m.precision(1), 1e-15);  // 1/(1+1+1)
            assertEquals(0.75, m.precision(2), 1e-15);     // 3/(0+1+3)
            assertEquals(2.0 / 3, m.recall(0), 1e-15);     // 2/3
            assertEquals(0.5, m.recall(1), 1e-15);         // 1/2
            assertEquals(0.6, m.recall(2), 1e-15);         // 3/5
            assertEquals(2 * 0.75 * 0.6 / 1.35, m.f1(2), 1e-15);
            assertEquals((2.0 / 3 + 1.0 / 3 + 0.75) / 3, m.macroPrecision(), 1e-15);
        }
        MulticlassMetrics none = new MulticlassMetrics(2).add(0, 0);
        assertTrue(Double.isNaN(none.precision(1)), "class never predicted: precision undefined");
        assertThrows(IllegalArgumentException.class, () -> none.add(2, 0));
    }

    @Test
    void givenHandBinary_whenComputed_thenLogLossAccuracyAuc() {
        // p: 0.9(1) 0.6(0) 0.4(1) 0.2(0)
        // log-loss = -(ln 0.9 + ln 0.4 + ln 0.4 + ln 0.8)/4
        // accuracy: 0.9->1 ok, 0.6->1 wrong, 0.4->0 wrong, 0.2->0 ok = 0.5
        // AUC: pos {0.9, 0.4} vs neg {0.6, 0.2}: 0.9>0.6, 0.9>0.2, 0.4<0.6, 0.4>0.2 -> 3/4
        double[] p = {0.9, 0.6, 0.4, 0.2};
        int[] y = {1, 0, 1, 0};
        BinaryMetrics m = new BinaryMetrics().addAll(p, y);
        double expectedLogLoss = -(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.8)) / 4;
        assertEquals(expectedLogLoss, m.logLoss(), 1e-15);
        assertEquals(0.5, m.accuracy(), 0);
        assertEquals(0.75, m.auc(), 1e-15);
        assertEquals(0, m.aucErrorBound(), 0);
        assertEquals(0.75, BinaryMetrics.exactAuc(p, y), 0);
        assertTrue(Double.isNaN(new BinaryMetrics().add(0.3, 1).auc()), "one class only: AUC undefined");
        assertTrue(Double.isFinite(new BinaryMetrics().add(0.0, 1).add(1.0, 0).logLoss()), "clamped log-loss");
    }

    @Test
    void givenRandomScoresWithTies_whenExactAuc_thenEqualsBruteForce() {
        Random r = new Random(23);
        int n = 3000;
        double[] s = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3) == 0 ? 1 : 0;
            s[i] = Math.round((r.nextGaussian() * 0.15 + 0.5 + 0.1 * y[i]) * 200) / 200.0; // many ties
        }
        assertEquals(bruteForceAuc(s, y), BinaryMetrics.exactAuc(s, y), 1e-12);
    }

    @Test
    void givenHistogramAucMergedFromPartitions_whenComparedWithBruteForce_thenWithinDocumentedBound() {
        Random r = new Random(29);
        int n = 20_000;
        double[] s = new double[n];
        int[] y = new int[n];
        BinaryMetrics[] parts = {new BinaryMetrics(), new BinaryMetrics(), new BinaryMetrics()};
        for (int i = 0; i < n; i++) {
            y[i] = r.nextBoolean() ? 1 : 0;
            double z = r.nextGaussian() + (y[i] == 1 ? 1.0 : 0.0);
            s[i] = 1 / (1 + Math.exp(-z));
            parts[i % 3].add(s[i], y[i]);
        }
        BinaryMetrics m = parts[0].merge(parts[1]).merge(parts[2]);
        double exact = bruteForceAuc(s, y);
        double bound = m.aucErrorBound();
        assertTrue(bound > 0 && bound < 1e-3, "bound " + bound);
        assertTrue(Math.abs(m.auc() - exact) <= bound + 1e-15,
                "histogram AUC " + m.auc() + " vs exact " + exact + ", bound " + bound);
        assertEquals(exact, BinaryMetrics.exactAuc(s, y), 1e-12);
        assertTrue(exact > 0.7 && exact < 0.8, "separation of 1 sd gives AUC ~0.76: " + exact);

        // coarse histogram: larger but still honoured bound
        BinaryMetrics coarse = new BinaryMetrics(10).addAll(s, y);
        assertTrue(Math.abs(coarse.auc() - exact) <= coarse.aucErrorBound() + 1e-15);
        assertTrue(coarse.aucErrorBound() > bound);
    }

    @Test
    void givenHandRegression_whenComputed_thenRmseMaeR2() {
        // y = (1, 2, 3, 4), p = (1.5, 2, 2, 5): errors (0.5, 0, -1, 1)
        // SSE = 0.25 + 0 + 1 + 1 = 2.25; RMSE = sqrt(2.25/4) = 0.75; MAE = 2.5/4 = 0.625
        // SST = 1.5^2 + 0.5^2 + 0.5^2 + 1.5^2 = 5; R^2 = 1 - 2.25/5 = 0.55
        RegressionMetrics a = new RegressionMetrics().add(1.5, 1).add(2, 2);
        RegressionMetrics b = new RegressionMetrics().addAll(new double[] {2, 5}, new double[] {3, 4});
        RegressionMetrics m = a.merge(b);
        assertEquals(4, m.count());
        assertEquals(0.75, m.rmse(), 1e-15);
        assertEquals(0.625, m.mae(), 1e-15);
        assertEquals(5, m.sst(), 1e-15);
        assertEquals(0.55, m.r2(), 1e-15);
        assertTrue(Double.isNaN(new RegressionMetrics().rmse()));
        assertTrue(Double.isNaN(new RegressionMetrics().add(1, 2).add(3, 2).r2()), "constant targets: R^2 undefined");
    }
}
