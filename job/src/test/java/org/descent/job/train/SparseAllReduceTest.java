package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.SparkSession;
import org.descent.job.exchange.AllReduceEngine;
import org.descent.job.fault.Faults;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The allreduce engine's sparse steps (only the rows a step's batches touch are exchanged and, for SGD and Adagrad,
 * updated) against the broadcast-collect engine on the same sparse blocks, with 3 and 4 ranks (uneven partitions)
 * through memory and over TCP: every step's rows, loss sum, loss and rate, and the final parameters, bit for bit;
 * the gradient norm to 1e-12 (the driver sums its squares over the rows only when every partial came back
 * row-sparse). Adam keeps the dense update on both. Runs on its own local[4] session (4 task slots = 4 ranks),
 * stopped afterwards so later classes get the shared local[2] one back.
 */
class SparseAllReduceTest {
    private static SparkSession spark;

    @BeforeAll
    static void fourSlots() {
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        spark = SparkSession.builder().master("local[4]").appName("descent-sparse-allreduce")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        SparkSession.clearDefaultSession();
        SparkSession.clearActiveSession();
    }

    private record Run(double[] params, List<double[]> steps, String engine) {}

    private static Run train(String recipe, String exchange, String transport, int partitions) {
        if (transport == null) spark.sparkContext().conf().remove(AllReduceEngine.TRANSPORT_KEY);
        else spark.sparkContext().conf().set(AllReduceEngine.TRANSPORT_KEY, transport);
        try {
            double[][] x = SparseTrainingTest.rows(23);
            double[] y = SparseTrainingTest.labels(x, 4, 23);
            List<double[]> steps = new ArrayList<>();
            Trainer trainer = new Trainer(spark, TestConfigs.of(recipe, "training.exchange=" + exchange,
                    "training.partitions=" + partitions))
                    .withStepListener((e, s, f) -> steps.add(new double[] {f.rows(), f.lossSum(), f.loss(),
                            f.learningRate(), f.gradNorm()}));
            double[] params = trainer.train(SparseTrainingTest.blocks(x, y, 4, partitions, true), null).params();
            return new Run(params, steps, trainer.engineName());
        } finally {
            spark.sparkContext().conf().remove(AllReduceEngine.TRANSPORT_KEY);
        }
    }

    @ParameterizedTest(name = "{0} ranks, {1}, {2}")
    @CsvSource({"3, sgd, softmax", "4, adagrad, softmax", "3, adagrad, mlp", "4, adam, mlp"})
    void givenSparseBlocksOnThreeOrFourRanks_whenTrainingWithAllreduce_thenBitIdenticalToBroadcastCollect(
            int partitions, String optimizer, String type) {
        assertEquals(spark, TestSpark.session(), "the data helpers must use this class's local[4] session");
        String recipe = SparseTrainingTest.model(type) + "optimizer { kind = " + optimizer + ", learning-rate = 0.05 }\n"
                + "training { epochs = 2, batch-size = 60, seed = 9 }\n";
        Run driver = train(recipe, "broadcast-collect", null, partitions);
        for (String transport : List.of("auto", "tcp")) {
            Run ar = train(recipe, "allreduce", transport, partitions);
            String what = partitions + " ranks, " + optimizer + ", " + type + ", allreduce over " + transport;
            assertEquals("allreduce", ar.engine(), what);
            assertEquals(driver.steps().size(), ar.steps().size(), what);
            for (int k = 0; k < ar.steps().size(); k++) {
                double[] a = driver.steps().get(k);
                double[] b = ar.steps().get(k);
                for (int f = 0; f < 4; f++) {
                    assertEquals(Double.doubleToRawLongBits(a[f]), Double.doubleToRawLongBits(b[f]),
                            what + ": step " + k + " figure " + f + " (rows, loss sum, loss, rate)");
                }
                assertEquals(a[4], b[4], 1e-12 * a[4], what + ": gradient norm of step " + k);
            }
            double moved = 0;
            for (int i = 0; i < driver.params().length; i++) {
                assertEquals(Double.doubleToRawLongBits(driver.params()[i]), Double.doubleToRawLongBits(ar.params()[i]),
                        what + ": param " + i + " " + driver.params()[i] + " vs " + ar.params()[i]);
                moved = Math.max(moved, Math.abs(driver.params()[i]));
            }
            assertTrue(moved > 0.01, what + ": the model moved");
        }
    }

    /**
     * In memory, the ranks of a sparse Adagrad segment share one parameter array and optimizer state, each updating
     * its share of the rows (SharedState): a rank that fails mid-epoch makes the driver run the segment again from a
     * fresh copy of the last epoch end it received, and the result is still the broadcast-collect engine's, bit for
     * bit.
     */
    @Test
    void givenSparseAdagradRanksSharingTheirState_whenARankFailsMidEpoch_thenTheRerunIsBitIdenticalToBroadcastCollect() {
        String recipe = SparseTrainingTest.model("softmax") + "optimizer { kind = adagrad, learning-rate = 0.05 }\n"
                + "training { epochs = 2, batch-size = 60, seed = 9 }\n";
        Run driver = train(recipe, "broadcast-collect", null, 4);
        AtomicBoolean failed = new AtomicBoolean();
        Run recovered;
        try (Faults.Installed f = Faults.install(new Faults.Hooks() {
            @Override
            public void beforeSegmentStep(int partition, long globalStep) {
                if (partition == 2 && globalStep == driver.steps().size() * 3 / 4 && failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure at rank 2");
                }
            }
        })) {
            recovered = train(recipe, "allreduce", "auto", 4);
        }
        assertTrue(failed.get(), "the fault was injected");
        assertEquals(driver.steps().size(), recovered.steps().size(), "every step delivered once");
        for (int i = 0; i < driver.params().length; i++) {
            assertEquals(Double.doubleToRawLongBits(driver.params()[i]), Double.doubleToRawLongBits(recovered.params()[i]),
                    "param " + i + " after a failed and re-run segment");
        }
    }
}
