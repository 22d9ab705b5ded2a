package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.descent.job.config.JobConfig;
import org.descent.job.exchange.AllReduceEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 items 3-4: the model depends on (data, config, seed, partition count), never on how many task slots ran
 * it. The same configs with 3, 4 and 8 partitions are trained with broadcast-collect (the reference bits), then with
 * allreduce on local[2], local[4] and local[8] sessions, in memory and over loopback TCP: with fewer slots than
 * partitions each barrier task owns a contiguous group of partitions (e.g. 8 partitions on 2 slots: 2 ranks of 4),
 * with enough slots there are 3, 4 and 8 ranks. Every run must give the reference bits, for the replicated update
 * (one allreduce) and the sharded one (reduce-scatter + all-gather). The test switches the JVM's session (local[2]
 * is restored for the classes after it).
 */
class PartitionGroupsTest {
    private static final String REPLICATED = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [12], activation = relu, init = he-normal }
            optimizer { kind = momentum, learning-rate = 0.05, momentum = 0.9 }
            regularization.l2 = 0.0005
            clipping.max-norm = 5
            data.scaling = standard
            training { epochs = 1, batch-size = 40, seed = 23 }
            """;
    private static final String SHARDED = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [12], activation = tanh, init = xavier-uniform }
            optimizer { kind = adam, learning-rate = 0.01 }
            data.scaling = standard
            training { epochs = 1, batch-size = 40, seed = 29 }
            """;
    private static final Path LOG = Path.of("target", "test-spark.log");

    @AfterAll
    static void restoreSharedSession() {
        SparkSession.active().stop();
    }

    /** Stops the JVM's session and starts local[slots] (local[2] as {@link TestSpark}'s). */
    private static SparkSession session(int slots) {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        return SparkSession.builder().master("local[" + slots + "]").appName("descent-partition-groups")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    private static double[] train(SparkSession spark, String recipe, int partitions, String exchange, String transport) {
        if (transport == null) spark.sparkContext().conf().remove(AllReduceEngine.TRANSPORT_KEY);
        else spark.sparkContext().conf().set(AllReduceEngine.TRANSPORT_KEY, transport);
        try {
            JobConfig cfg = TestConfigs.of(recipe, "training.partitions=" + partitions, "training.exchange=" + exchange);
            return new Trainer(spark, cfg).train(DATA.toLoaded(partitions), null).params();
        } finally {
            spark.sparkContext().conf().remove(AllReduceEngine.TRANSPORT_KEY);
        }
    }

    private static final InMemoryData DATA = InMemoryData.blobs(960, 6, 4, 41);

    private static String logSince(long offset) throws IOException {
        return Files.readString(LOG).substring((int) offset);
    }

    private static long logSize() throws IOException {
        return Files.exists(LOG) ? Files.size(LOG) : 0;
    }

    private static void assertBitIdentical(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    what + ": param " + i + " " + expected[i] + " vs " + actual[i]);
        }
    }

    /** One allreduce run: session slots, recipe, partitions, transport ("auto": in memory here; "tcp": sockets). */
    private record Run(int slots, String recipe, int partitions, String transport) {}

    /**
     * 2 slots: every partition count in groups (3 = 2+1, 4 = 2+2, 8 = 4+4); 4 slots: 8 partitions in groups of 2 and 4
     * partitions one per task; 8 slots: 3 and 8 ranks of one partition. Both transports and both updates appear at
     * every slot count.
     */
    private static final List<Run> RUNS = List.of(
            new Run(2, REPLICATED, 3, "auto"), new Run(2, REPLICATED, 4, "tcp"), new Run(2, REPLICATED, 8, "auto"),
            new Run(2, SHARDED, 8, "tcp"),
            new Run(4, REPLICATED, 8, "tcp"), new Run(4, REPLICATED, 4, "auto"), new Run(4, SHARDED, 8, "auto"),
            new Run(8, REPLICATED, 8, "tcp"), new Run(8, REPLICATED, 8, "auto"), new Run(8, REPLICATED, 3, "tcp"),
            new Run(8, SHARDED, 8, "tcp"));

    @Test
    void givenOneConfig_whenTrainedOn2And4And8SlotsInMemoryAndOverTcp_thenEveryRunHasTheBroadcastCollectBits()
            throws IOException {
        Map<String, double[]> reference = new LinkedHashMap<>();
        SparkSession two = session(2);
        SparkSession spark = two;
        int slots = 2;
        for (Run run : RUNS) {
            reference.computeIfAbsent(key(run.recipe(), run.partitions()),
                    k -> train(two, run.recipe(), run.partitions(), "broadcast-collect", null));
        }
        Map<String, double[]> bySlots = new LinkedHashMap<>();
        for (Run run : RUNS) {
            if (run.slots() != slots) {
                slots = run.slots();
                spark = session(slots);
            }
            int p = run.partitions();
            int ranks = Math.min(slots, p);
            long before = logSize();
            // auto must pick allreduce, also with more partitions than slots
            double[] params = train(spark, run.recipe(), p, "auto", run.transport());
            String what = key(run.recipe(), p) + ", local[" + slots + "] = " + ranks + " ranks, " + run.transport();
            String log = logSince(before);
            assertTrue(log.contains("allreduce exchange: " + ranks + " tasks for " + p + " partitions"),
                    what + ": the engine's log line\n" + log);
            assertTrue(log.contains(run.transport().equals("tcp") ? "TCP between " + ranks + " tasks" : "in-JVM memory"),
                    what + ": transport\n" + log);
            assertBitIdentical(reference.get(key(run.recipe(), p)), params, what + " vs broadcast-collect");
            double[] earlier = bySlots.putIfAbsent(key(run.recipe(), p), params);
            if (earlier != null) assertBitIdentical(earlier, params, what + " vs the same config on fewer slots");
        }
    }

    private static String key(String recipe, int partitions) {
        return (recipe == SHARDED ? "sharded update" : "replicated update") + ", " + partitions + " partitions";
    }
}
