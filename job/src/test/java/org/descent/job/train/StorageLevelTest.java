package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.descent.job.config.JobConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 2: {@code training.storage-level = memory-and-disk-ser} (serialized cache that spills to disk; every
 * read of a block deserializes a copy) works with both exchanges, also when allreduce tasks own partition groups, and
 * gives the bits of the deserialized in-memory cache. Shared local[2] session.
 */
class StorageLevelTest {
    private static final String MLP = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [10], activation = relu, init = he-normal }
            optimizer { kind = adam, learning-rate = 0.01 }
            data.scaling = standard
            training { epochs = 2, batch-size = 50, seed = 5 }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static double[] train(int partitions, String... overrides) {
        List<String> o = new java.util.ArrayList<>(List.of(overrides));
        o.add("training.partitions=" + partitions);
        JobConfig cfg = TestConfigs.of(MLP, o.toArray(String[]::new));
        return new Trainer(TestSpark.session(), cfg).train(InMemoryData.blobs(700, 5, 3, 13).toLoaded(partitions), null)
                .params();
    }

    @Test
    void givenASerializedSpillingCache_whenTrainingWithEitherExchange_thenTheBitsEqualTheInMemoryCache() {
        for (int partitions : new int[] {2, 3}) { // 3 on 2 slots: allreduce tasks own partition groups
            double[] reference = train(partitions, "training.storage-level=memory-only",
                    "training.exchange=broadcast-collect");
            for (String exchange : List.of("broadcast-collect", "allreduce")) {
                double[] ser = train(partitions, "training.storage-level=memory-and-disk-ser",
                        "training.exchange=" + exchange);
                assertEquals(reference.length, ser.length);
                for (int i = 0; i < ser.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(reference[i]), Double.doubleToRawLongBits(ser[i]),
                            exchange + ", " + partitions + " partitions, memory-and-disk-ser: param " + i);
                }
            }
        }
    }
}
