package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The float32 twins of every activation against the double forms on the same float-representable inputs. */
class Float32ActivationTest {
    private static final int ROWS = 9;
    private static final int COLS = 5;
    private static final double EPS_F = Math.ulp(1.0f) / 2;

    private static void assertCloseToDouble(Matrix expected, float[] actual, String what) {
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.data()[i];
            // a few float roundings (eps_f = 2^-24) of O(1) quantities: softmax backward's p (g - p.g)
            // cancels, so the bound is absolute for |e| < 1 and relative above
            double tol = 8 * EPS_F * Math.max(1, Math.abs(e));
            assertEquals(e, actual[i], tol, what + " element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void givenSeededInputsUpTo50_whenFloatForwardAndBackward_thenMatchDoubleFormsWithinFloatRounding(ActivationKind kind) {
        Activation act = Activation.of(kind, 0.1);
        FloatMatrix z = FloatMatrix.of(Matrix.normal(ROWS, COLS, 0, 3, 17 + kind.ordinal()));
        z.set(0, 0, 50f);
        z.set(1, 1, -50f);
        FloatMatrix up = FloatMatrix.of(Matrix.normal(ROWS, COLS, 0, 1, 5));

        Matrix aD = act.forward(z.toMatrix());
        float[] aF = z.data().clone();
        act.forwardInPlace(aF, ROWS, COLS);
        // backward from the same (float) activations in both precisions
        Matrix gD = act.backward(FloatMatrix.wrap(ROWS, COLS, aF).toMatrix(), up.toMatrix());
        float[] gF = up.data().clone();
        act.backwardInPlace(aF, gF, ROWS, COLS);

        assertCloseToDouble(aD, aF, kind + " forward");
        assertCloseToDouble(gD, gF, kind + " backward");
        for (float v : aF) {
            assertTrue(Float.isFinite(v), kind + " forward finite");
        }
    }
}
