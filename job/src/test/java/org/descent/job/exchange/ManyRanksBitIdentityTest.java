package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.descent.job.train.InMemoryData;
import org.descent.job.train.TestConfigs;
import org.descent.job.train.TestSpark;
import org.descent.job.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * More than two ranks: the allreduce engine with 3 and 4 partitions (uneven sizes, so the sharded update's chunk
 * bounds and the reduce-scatter pieces differ per rank), through memory ({@link LocalHub}) and over TCP, must give
 * the broadcast-collect engine's bits: every step's rows, loss and rate, and the final parameters. Runs on its own
 * local[4] session (4 task slots), stopped afterwards so later classes get the shared local[2] one back.
 */
class ManyRanksBitIdentityTest {
    private static final String BASE = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [12], activation = tanh, init = xavier-normal }
            data.scaling = standard
            training { epochs = 2, batch-size = 50, seed = 17 }
            """;
    /** Regularisation and clipping: every rank applies the whole update (replicated). */
    private static final String REPLICATED = BASE + """
            optimizer { kind = momentum, learning-rate = 0.05, momentum = 0.9 }
            regularization.l2 = 0.001
            clipping.max-norm = 5
            """;
    /** Neither: each rank updates the chunk it owns (sharded), Adam's two state arrays gathered at the end. */
    private static final String SHARDED = BASE + """
            optimizer { kind = adam, learning-rate = 0.01 }
            """;

    private static SparkSession spark;

    @BeforeAll
    static void fourSlots() {
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        spark = SparkSession.builder().master("local[4]").appName("descent-many-ranks")
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

    private record Run(double[] params, List<double[]> steps) {}

    private static Run train(String recipe, int partitions, String exchange, String transport, InMemoryData data) {
        if (transport == null) spark.sparkContext().conf().remove(AllReduceEngine.TRANSPORT_KEY);
        else spark.sparkContext().conf().set(AllReduceEngine.TRANSPORT_KEY, transport);
        try {
            List<double[]> steps = new ArrayList<>();
            double[] params = new Trainer(spark, TestConfigs.of(recipe, "training.partitions=" + partitions,
                    "training.exchange=" + exchange))
                    .withStepListener((e, s, f) -> steps.add(new double[] {f.rows(), f.lossSum(), f.loss(),
                            f.learningRate(), f.gradNorm()}))
                    .train(data.toLoaded(partitions), null).params();
            return new Run(params, steps);
        } finally {
            spark.sparkContext().conf().remove(AllReduceEngine.TRANSPORT_KEY);
        }
    }

    @ParameterizedTest(name = "{0} ranks, {1} update")
    @CsvSource({"3, replicated", "3, sharded", "4, replicated", "4, sharded"})
    void givenMoreThanTwoRanks_whenTrainingWithAllreduceInMemoryAndOverTcp_thenBitIdenticalToBroadcastCollect(
            int partitions, String update) {
        assertEquals(spark, TestSpark.session(), "the data helpers must use this class's local[4] session");
        String recipe = update.equals("sharded") ? SHARDED : REPLICATED;
        InMemoryData data = InMemoryData.blobs(1003, 5, 3, 29); // 1003 rows: uneven partitions for P = 3 and 4
        Run driver = train(recipe, partitions, "broadcast-collect", null, data);
        for (String transport : List.of("auto", "tcp")) {
            Run ar = train(recipe, partitions, "allreduce", transport, data);
            String what = partitions + " ranks, " + update + " update, allreduce over " + transport;
            assertEquals(driver.steps().size(), ar.steps().size(), what);
            for (int k = 0; k < ar.steps().size(); k++) {
                double[] a = driver.steps().get(k);
                double[] b = ar.steps().get(k);
                for (int f = 0; f < 4; f++) {
                    assertEquals(Double.doubleToRawLongBits(a[f]), Double.doubleToRawLongBits(b[f]),
                            what + ": step " + k + " figure " + f + " (rows, loss sum, loss, rate)");
                }
                // the sharded update sums the norm's squares per owner: the same value up to rounding
                double tol = update.equals("sharded") ? 1e-12 * a[4] : 0.0;
                assertEquals(a[4], b[4], tol, what + ": gradient norm of step " + k);
            }
            for (int i = 0; i < driver.params().length; i++) {
                assertEquals(Double.doubleToRawLongBits(driver.params()[i]), Double.doubleToRawLongBits(ar.params()[i]),
                        what + ": param " + i);
            }
        }
    }
}
