package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.descent.job.train.TestSpark;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.optim.ConstantSchedule;
import org.descent.math.optim.Optimizer;
import org.descent.math.optim.OptimizerKind;
import org.descent.math.optim.OptimizerSpec;
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

    private static final ParameterLayout LAYOUT =
            new ParameterLayout(List.of(new LayerSpec(30, 4, ActivationKind.IDENTITY)));
    private static final OptimizerSpec SPEC = OptimizerSpec.defaults(OptimizerKind.ADAGRAD);

    private static double[] params(long seed) {
        Random r = new Random(seed);
        double[] params = new double[LAYOUT.size()];
        for (int i = 0; i < params.length; i++) params[i] = r.nextGaussian();
        return params;
    }

    /** An Adagrad optimizer after 3 seeded steps from {@code params}. */
    private static Optimizer optimizer(long seed, double[] params) {
        Optimizer o = SPEC.build(new ConstantSchedule(0.1));
        o.init(LAYOUT);
        Random r = new Random(seed);
        double[] w = params.clone();
        double[] g = new double[w.length];
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < g.length; i++) g[i] = r.nextGaussian();
            o.step(w, g, t);
        }
        return o;
    }

    /** What a rank gets: {@code {DoubleBytes of its parameters, its optimizer's saveState()}}. */
    private static byte[][] rank(SegmentStart start) {
        double[] p = new double[LAYOUT.size()];
        start.paramsInto(p);
        Optimizer o = SPEC.build(new ConstantSchedule(0.1));
        start.optimizerInto(o, LAYOUT);
        return new byte[][] {DoubleBytes.encode(p), o.saveState()};
    }

    @Test
    void givenLocalMode_whenTasksReadTheStart_thenTheyGetCopiesOfTheDriversStateWithoutABroadcast() {
        double[] params = params(7);
        Optimizer driver = optimizer(7, params);
        byte[] driverState = driver.saveState();
        SegmentStart start = SegmentStart.of(jsc, params, driver);
        try {
            List<Integer> sums = jsc.parallelize(List.of(0, 1), 2)
                    .map(i -> java.util.Arrays.hashCode(rank(start)[i])).collect();
            assertEquals(List.of(java.util.Arrays.hashCode(DoubleBytes.encode(params)),
                    java.util.Arrays.hashCode(driverState)), sums);
            byte[][] here = rank(start);
            assertArrayEquals(DoubleBytes.encode(params(7)), here[0]);
            assertArrayEquals(driverState, here[1]);
            assertArrayEquals(driverState, driver.saveState(), "the driver's optimizer is only read");
        } finally {
            start.destroy();
        }
    }

    @Test
    void givenAReleasedStart_whenATaskReadsIt_thenTheErrorNamesTheState() {
        double[] params = params(8);
        SegmentStart start = SegmentStart.of(jsc, params, optimizer(8, params));
        start.destroy();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rank(start));
        assertTrue(e.getMessage().contains("start state") && e.getMessage().contains("released"), e.getMessage());
    }

    @Test
    void givenAPreparedCopy_whenRanksTakeDropAndTheDriverDestroys_thenEachTakeHasTheStartBitsAndNoCopyIsLeft()
            throws Exception {
        double[] params = params(11);
        Optimizer driver = optimizer(11, params);
        SegmentStart start = SegmentStart.of(jsc, params, driver);
        try {
            start.prepareCopy();
            start.prepareCopy(); // once per state
            assertTrue(start.copyPrepared());
            SegmentStart.Copy first = start.takeCopy();
            assertTrue(!start.copyPrepared(), "a prepared copy is taken once");
            SegmentStart.Copy again = start.takeCopy(); // a re-run: a fresh copy, not the first taker's arrays
            for (SegmentStart.Copy c : List.of(first, again)) {
                assertArrayEquals(params, c.params());
                assertTrue(c.params() != params, "a copy, not the driver's array");
                assertEquals(driver.stateArrays().length, c.state().length);
                for (int a = 0; a < c.state().length; a++) assertArrayEquals(driver.stateArrays()[a], c.state()[a]);
                assertTrue(c.finite());
            }
            assertTrue(first.params() != again.params());
            start.prepareCopy();
            start.dropCopy(); // the ranks decided not to share
            assertTrue(!start.copyPrepared());
        } finally {
            start.destroy();
        }
        start.prepareCopy(); // a straggler task after the driver released the state
        assertTrue(!start.copyPrepared(), "nothing left behind for a destroyed state");
    }

    @Test
    void givenABroadcastStartState_whenARankDecidesNotToShare_thenNothingIsPreparedAndTheStartBitsAreRead() {
        double[] params = params(13);
        Optimizer driver = optimizer(13, params);
        SegmentStart start = SegmentStart.broadcast(jsc, params, driver); // what a cluster's tasks get
        try {
            assertTrue(!start.inJvm());
            start.prepareCopy(); // a broadcast state is never copied for sharing
            assertTrue(!start.copyPrepared());
            start.dropCopy(); // what SegmentRun calls when the ranks do not share (the cluster CI run's NPE)
            double[] got = new double[params.length];
            start.paramsInto(got);
            assertArrayEquals(params, got);
        } finally {
            start.destroy();
        }
    }
}
