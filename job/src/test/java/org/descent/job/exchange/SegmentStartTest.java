package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SegmentStart} in local mode (issue 12): the tasks read the driver's start state from this JVM instead of a
 * broadcast, the same bytes (the bit-identity tests, e.g. {@code SparseAllReduceTest}, cover whole runs), and a
 * released state is an error that says so.
 */
class SegmentStartTest {
    private static JavaSparkContext jsc;

    @BeforeAll
    static void spark() {
        jsc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    }

    private static byte[][] state(long seed) {
        Random r = new Random(seed);
        double[] params = new double[1000];
        for (int i = 0; i < params.length; i++) params[i] = r.nextGaussian();
        byte[] opt = new byte[64];
        r.nextBytes(opt);
        return new byte[][] {DoubleBytes.encode(params), opt};
    }

    @Test
    void givenLocalMode_whenTasksReadTheStart_thenTheyGetTheDriversBytesWithoutABroadcast() {
        byte[][] driver = state(7);
        SegmentStart start = SegmentStart.of(jsc, driver);
        try {
            assertSame(driver, start.value(), "in the driver's JVM: the driver's arrays, no copy");
            List<Integer> sums = jsc.parallelize(List.of(0, 1), 2)
                    .map(i -> java.util.Arrays.hashCode(start.value()[i])).collect();
            assertEquals(List.of(java.util.Arrays.hashCode(driver[0]), java.util.Arrays.hashCode(driver[1])), sums);
            assertArrayEquals(state(7)[0], start.value()[0]);
        } finally {
            start.destroy();
        }
    }

    @Test
    void givenAReleasedStart_whenATaskReadsIt_thenTheErrorNamesTheState() {
        SegmentStart start = SegmentStart.of(jsc, state(8));
        start.destroy();
        IllegalStateException e = assertThrows(IllegalStateException.class, start::value);
        assertTrue(e.getMessage().contains("start state") && e.getMessage().contains("released"), e.getMessage());
    }
}
