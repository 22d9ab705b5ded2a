package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.descent.job.exchange.AllReduceEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A dense float32 run with the sharded update moves float32 partial gradients through the allreduce (written by the
 * GEMMs, widened by the reduce-scatter): it must give the bits of the broadcast-collect engine, which sums the same
 * partials as doubles, over memory and over TCP, with more partitions than the shared local[2] session's task slots
 * (a rank then owns several partitions: the widened sum walks every partial of every rank in order).
 */
class Float32PartialsTest {
    private static final String SHARDED = """
            data.label-type = class-index
            model { type = mlp, hidden-layers = [24, 12], activation = relu, init = he-normal }
            optimizer { kind = nesterov, learning-rate = 0.05, momentum = 0.9 }
            data.scaling = standard
            training { epochs = 2, batch-size = 48, seed = 5, precision = float32 }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static double[] train(InMemoryData data, int partitions, String... overrides) {
        String[] all = new String[overrides.length + 1];
        all[0] = "training.partitions=" + partitions;
        System.arraycopy(overrides, 0, all, 1, overrides.length);
        return new Trainer(TestSpark.session(), TestConfigs.of(SHARDED, all)).train(data.toLoaded(partitions), null)
                .params();
    }

    @Test
    void givenThreeAndFourPartitionsInFloat32_whenTrainedWithAllreduceOverMemoryAndTcp_thenTheBitsOfBroadcastCollect() {
        InMemoryData data = InMemoryData.blobs(1100, 7, 3, 19);
        for (int partitions : List.of(3, 4)) {
            double[] driver = train(data, partitions, "training.exchange=broadcast-collect");
            for (String transport : List.of("auto", "tcp")) {
                if (transport.equals("tcp")) TestSpark.session().sparkContext().conf().set(AllReduceEngine.TRANSPORT_KEY, "tcp");
                double[] allreduce;
                try {
                    allreduce = train(data, partitions, "training.exchange=allreduce");
                } finally {
                    TestSpark.session().sparkContext().conf().remove(AllReduceEngine.TRANSPORT_KEY);
                }
                for (int i = 0; i < driver.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(driver[i]), Double.doubleToRawLongBits(allreduce[i]),
                            partitions + " partitions, allreduce over " + transport + ": param " + i);
                }
            }
        }
    }
}
