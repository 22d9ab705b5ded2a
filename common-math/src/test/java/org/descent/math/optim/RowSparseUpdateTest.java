package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.junit.jupiter.api.Test;

/**
 * The row-sparse update against the dense {@link MiniBatchUpdate#apply}: same parameter and state bits step after
 * step (the touched rows change every step, weights of -0.0 sit in rows no step touches), and only plain SGD and
 * Adagrad without regularisation or clipping qualify.
 */
class RowSparseUpdateTest {
    private static final int D = 300;
    private static final int K = 3;
    private static final ParameterLayout LAYOUT = new ParameterLayout(List.of(
            new LayerSpec(D, K, ActivationKind.RELU), new LayerSpec(K, 2, ActivationKind.IDENTITY)));
    private static final MiniBatchUpdate PLAIN = new MiniBatchUpdate(Regularization.none(), GradientClipping.none());

    @Test
    void givenSgdAndAdagradOnRowSparseGradients_whenUpdatingOnlyTheTouchedRows_thenParamsAndStateEqualTheDenseUpdate() {
        List<Supplier<Optimizer>> rules = List.of(() -> new Sgd(new StepDecaySchedule(0.3, 0.5, 2)),
                () -> new Adagrad(new ConstantSchedule(0.2)), () -> new Adagrad(new CosineSchedule(0.5, 0.0, 2, 6), 1e-6));
        for (Supplier<Optimizer> rule : rules) {
            Optimizer dense = rule.get();
            Optimizer sparse = rule.get();
            dense.init(LAYOUT);
            sparse.init(LAYOUT);
            double[] pDense = initialParams(new Random(7));
            double[] pSparse = pDense.clone();
            RowSparseUpdate rowUpdate = new RowSparseUpdate(PLAIN, LAYOUT, D, K);
            double[] scratch = new double[LAYOUT.size()];
            Random rnd = new Random(11);
            for (long t = 0; t < 8; t++) {
                int[] rows = touchedRows(rnd);
                double[] gradSum = gradientSum(rnd, rows);
                MiniBatchUpdate.Outcome a = PLAIN.apply(pDense, gradSum, 3.5, 40, t, dense, LAYOUT, scratch);
                MiniBatchUpdate.Outcome b = rowUpdate.apply(pSparse, gradSum, 3.5, 40, t, sparse, rows, rows.length);
                String what = dense + " step " + t;
                assertBits(pDense, pSparse, what + ": parameters");
                for (int s = 0; s < dense.stateArrays().length; s++) {
                    assertBits(dense.stateArrays()[s], sparse.stateArrays()[s], what + ": state " + s);
                }
                assertEquals(a.loss(), b.loss(), 0.0, what + ": loss");
                assertEquals(a.learningRate(), b.learningRate(), 0.0, what + ": learning rate");
                assertEquals(a.gradNorm(), b.gradNorm(), 1e-12 * a.gradNorm(), what + ": gradient norm");
                assertEquals(a.status(), b.status(), what);
            }
            assertArrayEquals(dense.saveState(), sparse.saveState(), dense + ": saved state");
        }
    }

    @Test
    void givenThreeOptimizersSharingOneState_whenEachStepsItsShareOfTheRows_thenParamsAndStateEqualOneWholeRowStep() {
        List<Supplier<Optimizer>> rules = List.of(() -> new Sgd(new StepDecaySchedule(0.3, 0.5, 2)),
                () -> new Adagrad(new CosineSchedule(0.5, 0.0, 2, 6), 1e-6));
        for (Supplier<Optimizer> rule : rules) {
            Optimizer whole = rule.get();
            whole.init(LAYOUT);
            double[] pWhole = initialParams(new Random(5));
            // the sharers start from the whole rule's state after a first step (a non-zero accumulator)
            RowSparseUpdate first = new RowSparseUpdate(PLAIN, LAYOUT, D, K);
            int[] rows0 = touchedRows(new Random(2));
            first.apply(pWhole, gradientSum(new Random(3), rows0), 1.0, 10, 0, whole, rows0, rows0.length);
            double[] pShared = pWhole.clone();
            double[][] state = new double[whole.stateArrays().length][];
            for (int a = 0; a < state.length; a++) state[a] = whole.stateArrays()[a].clone();
            Optimizer[] sharers = {rule.get(), rule.get(), rule.get()};
            for (Optimizer o : sharers) o.initShared(LAYOUT, whole, state);
            RowSparseUpdate wholeUpdate = new RowSparseUpdate(PLAIN, LAYOUT, D, K);
            Random rnd = new Random(13);
            for (long t = 1; t < 7; t++) {
                int[] rows = touchedRows(rnd);
                double[] gradSum = gradientSum(rnd, rows);
                MiniBatchUpdate.Outcome a = wholeUpdate.apply(pWhole, gradSum, 2.5, 30, t, whole, rows, rows.length);
                double[] sums = rowValues(gradSum, rows);
                for (int r = 0; r < sharers.length; r++) {
                    int from = rows.length * r / sharers.length;
                    int to = rows.length * (r + 1) / sharers.length;
                    MiniBatchUpdate.Outcome b = new RowSparseUpdate(PLAIN, LAYOUT, D, K).applyValues(pShared, sums,
                            2.5, 30, t, sharers[r], rows, rows.length, from, to, r == sharers.length - 1);
                    assertEquals(a, b, whole + " step " + t + " part " + r);
                }
                String what = whole + " step " + t;
                assertBits(pWhole, pShared, what + ": parameters");
                for (int a2 = 0; a2 < state.length; a2++) assertBits(whole.stateArrays()[a2], state[a2], what + ": state");
            }
            assertArrayEquals(whole.saveState(), sharers[0].saveState(), whole + ": saved state (steps counted too)");
        }
    }

    /** The sum's touched rows packed row by row (row l's entry j at l K + j), then the tail. */
    private static double[] rowValues(double[] gradSum, int[] rows) {
        int tail = gradSum.length - D * K;
        double[] v = new double[rows.length * K + tail];
        for (int l = 0; l < rows.length; l++) {
            for (int j = 0; j < K; j++) v[l * K + j] = gradSum[rows[l] + j * D];
        }
        System.arraycopy(gradSum, D * K, v, rows.length * K, tail);
        return v;
    }

    @Test
    void givenMomentumAdamOrAPenalty_whenAskingWhetherTheRowUpdateApplies_thenOnlyPlainSgdAndAdagradDo() {
        assertTrue(RowSparseUpdate.applies(PLAIN, new Sgd(new ConstantSchedule(0.1))));
        assertTrue(RowSparseUpdate.applies(PLAIN, new Adagrad(new ConstantSchedule(0.1))));
        assertFalse(RowSparseUpdate.applies(PLAIN, new MomentumSgd(new ConstantSchedule(0.1), 0.9)));
        assertFalse(RowSparseUpdate.applies(PLAIN, new Adam(new ConstantSchedule(0.1))));
        assertFalse(RowSparseUpdate.applies(new MiniBatchUpdate(new Regularization(0, 1e-4), GradientClipping.none()),
                new Sgd(new ConstantSchedule(0.1))));
        assertFalse(RowSparseUpdate.applies(new MiniBatchUpdate(Regularization.none(), GradientClipping.byNorm(1.0)),
                new Adagrad(new ConstantSchedule(0.1))));
        Optimizer adam = new Adam(new ConstantSchedule(0.1));
        adam.init(LAYOUT);
        double[] p = new double[LAYOUT.size()];
        assertThrows(UnsupportedOperationException.class, () -> adam.stepRowValues(p, p.clone(), 0, D, K, new int[0], 0));
    }

    @Test
    void givenANonFiniteGradientRow_whenUpdating_thenTheStepStopsAsTheDenseOneDoes() {
        Optimizer dense = new Adagrad(new ConstantSchedule(0.1));
        Optimizer sparse = new Adagrad(new ConstantSchedule(0.1));
        dense.init(LAYOUT);
        sparse.init(LAYOUT);
        double[] pDense = initialParams(new Random(3));
        double[] pSparse = pDense.clone();
        int[] rows = {4, 77};
        double[] gradSum = new double[LAYOUT.size()];
        gradSum[77 + D] = Double.NaN;
        MiniBatchUpdate.Outcome a = PLAIN.apply(pDense, gradSum, 1.0, 10, 0, dense, LAYOUT, new double[LAYOUT.size()]);
        MiniBatchUpdate.Outcome b = new RowSparseUpdate(PLAIN, LAYOUT, D, K).apply(pSparse, gradSum, 1.0, 10, 0, sparse,
                rows, rows.length);
        assertEquals(MiniBatchUpdate.Status.NON_FINITE_LOSS, a.status());
        assertEquals(a.status(), b.status());
        assertBits(pDense, pSparse, "parameters after a refused step");
    }

    /** Random weights, with -0.0 in some rows (a -0.0 weight must stay -0.0 where the gradient is +0.0). */
    private static double[] initialParams(Random rnd) {
        double[] p = new double[LAYOUT.size()];
        for (int i = 0; i < p.length; i++) p[i] = rnd.nextGaussian();
        for (int f = 0; f < D; f += 9) p[f + D] = -0.0;
        return p;
    }

    /** 5 to 40 distinct rows, ascending; every third feature is never touched. */
    private static int[] touchedRows(Random rnd) {
        TreeSet<Integer> set = new TreeSet<>();
        int n = 5 + rnd.nextInt(36);
        while (set.size() < n) {
            int f = rnd.nextInt(D);
            if (f % 3 != 0) set.add(f);
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A gradient sum that is +0.0 outside the rows (one entry of a touched row exactly 0 or -0.0 too). */
    private static double[] gradientSum(Random rnd, int[] rows) {
        double[] g = new double[LAYOUT.size()];
        for (int f : rows) {
            for (int j = 0; j < K; j++) g[f + j * D] = rnd.nextGaussian();
        }
        g[rows[0]] = -0.0;
        g[rows[rows.length - 1] + D] = 0.0;
        for (int i = D * K; i < g.length; i++) g[i] = rnd.nextGaussian();
        return g;
    }

    private static void assertBits(double[] a, double[] b, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) {
                throw new AssertionError(what + ": entry " + i + " differs: " + a[i] + " vs " + b[i]);
            }
        }
    }
}
