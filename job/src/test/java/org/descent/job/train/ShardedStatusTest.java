package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sharded allreduce update checks each owner's chunk of the updated parameters and gathers the verdict with the
 * chunk's sum of squares: a step whose update overflows the parameters (finite loss and gradient) must stop as
 * "the parameters became non-finite" at the same step as broadcast-collect, with 2 and 3 partitions on local[2].
 */
class ShardedStatusTest {
    /** The first update's lr * g exceeds the largest double where |g| > 1.06; the loss before it is finite. */
    private static final String OVERFLOW = """
            data.label-type = class-index
            model { type = softmax }
            optimizer { kind = sgd, learning-rate = 1.7e308 }
            data.scaling = none
            training { epochs = 1, batch-size = 32, seed = 3 }
            """;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {2, 3})
    void givenAnUpdateThatOverflowsTheParameters_whenShardedAllreduce_thenStopsAtTheSameStepAsBroadcastCollect(
            int partitions) {
        InMemoryData blobs = InMemoryData.blobs(300, 5, 3, 8);
        double[][] x = new double[blobs.rows()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = blobs.x[i].clone();
            for (int j = 0; j < x[i].length; j++) x[i][j] *= 1e3; // weight gradients x (p - y) well above 1
        }
        InMemoryData data = new InMemoryData(x, blobs.y, blobs.numClasses);
        List<String> messages = new java.util.ArrayList<>();
        for (String exchange : List.of("broadcast-collect", "allreduce")) {
            TrainingFailedException e = assertThrows(TrainingFailedException.class, () -> new Trainer(
                    TestSpark.session(), TestConfigs.of(OVERFLOW, "training.exchange=" + exchange,
                    "training.partitions=" + partitions)).train(data.toLoaded(partitions), null), exchange);
            assertTrue(e.getMessage().contains("the parameters became non-finite"), exchange + ": " + e.getMessage());
            messages.add(e.getMessage().substring(0, e.getMessage().indexOf(" (loss"))); // the norm may differ in rounding
        }
        assertEquals(messages.get(0), messages.get(1));
    }
}
