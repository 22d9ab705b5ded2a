package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.descent.math.Matrix;
import org.descent.math.nn.layers.LayerDef;
import org.descent.math.nn.layers.Shape;
import org.descent.math.optim.GradientClipping;
import org.junit.jupiter.api.Test;

/**
 * Exploding gradients through a long sequence, and what gradient-norm clipping does about them.
 *
 * <p>A tanh RNN (16 units) whose recurrent weights {@code W_h} have gain 2 ({@code N(0, 4/16)} entries, spectral
 * radius about 2) reads {@code T} steps of one feature and a dense layer predicts {@code x_{T-1} + x_{T-2}/2}
 * (MSE). Backprop through time multiplies {@code dH} by {@code diag(1 - H_t²) W_hᵀ} once per step, so the
 * gradient grows with {@code T}. Plain SGD (rate 0.5) on 32 rows for 150 steps, as the trainer's update with and
 * without {@link GradientClipping#byNorm}: unclipped the first steps throw the weights far away and the loss
 * runs off to astronomically large values (or NaN); clipped at norm 0.5 every step is bounded and the model
 * learns the target (its last 20 losses average below a quarter of the variance of y, which predicting the
 * mean would give). ~2 s.
 */
class RecurrentClippingTest {
    private static final int UNITS = 16;
    private static final int ROWS = 32;
    private static final int STEPS = 100;
    private static final double RATE = 0.5;

    @Test
    void givenALongSequenceWhenTrainedWithoutAndWithClippingThenOnlyTheClippedRunStaysBoundedAndLearns() {
        double shortNorm = GradientClipping.norm(gradientAtStart(5));
        double longNorm = GradientClipping.norm(gradientAtStart(100));
        assertTrue(longNorm > 30 * shortNorm, "gradient norm T=100 " + longNorm + " vs T=5 " + shortNorm);

        double[] unclipped = train(150, GradientClipping.none());
        double[] clipped = train(150, GradientClipping.byNorm(0.5));
        double initial = clipped[0];
        assertTrue(!(unclipped[unclipped.length - 1] < 1e6 * initial),
                "unclipped run should diverge, final loss " + unclipped[unclipped.length - 1]);
        for (double loss : clipped) {
            assertTrue(loss < 5 * initial, "clipped loss must stay bounded, got " + loss + " (initial " + initial + ")");
        }
        double yVariance = 1.25; // Var(x_{T-1} + x_{T-2}/2) for standard normal x
        double last = 0; // SGD at this rate oscillates: the mean of the last 20 losses
        for (int s = clipped.length - 20; s < clipped.length; s++) {
            last += clipped[s] / 20;
        }
        assertTrue(last < 0.25 * yVariance, "clipped run should learn: mean of the last 20 losses " + last);
    }

    private static Network network(int t) {
        return Network.of(Shape.of(t, 1), List.of(new LayerDef.Recurrent(false, UNITS, false),
                new LayerDef.Dense(1, ActivationKind.IDENTITY, 0.01)), LossKind.MSE);
    }

    private record Problem(Network net, double[] params, Matrix x, Targets y) {}

    private static Problem problem(int t) {
        Network net = network(t);
        SplittableRandom rng = new SplittableRandom(3);
        double[] p = net.initParams(InitKind.XAVIER_NORMAL, 1);
        int wOff = net.layout().weightOffset(0);
        int ld = 1 + UNITS; // [W_x; W_h], column-major, W_h from row 1
        for (int j = 0; j < UNITS; j++) {
            for (int i = 0; i < UNITS; i++) {
                p[wOff + j * ld + 1 + i] = 2.0 * rng.nextGaussian() / Math.sqrt(UNITS);
            }
        }
        Matrix x = Matrix.normal(ROWS, t, 0, 1, rng);
        double[] y = new double[ROWS];
        for (int i = 0; i < ROWS; i++) {
            y[i] = x.get(i, t - 1) + 0.5 * x.get(i, t - 2);
        }
        return new Problem(net, p, x, Targets.ofValues(ROWS, y));
    }

    private static double[] gradientAtStart(int t) {
        Problem pr = problem(t);
        double[] g = new double[pr.params().length];
        pr.net().lossAndGradient(pr.params(), pr.x(), pr.y(), g);
        return g;
    }

    /** Mean loss before each of {@code steps} SGD updates, and after the last. */
    private static double[] train(int steps, GradientClipping clipping) {
        Problem pr = problem(STEPS);
        double[] p = pr.params();
        double[] g = new double[p.length];
        double[] losses = new double[steps + 1];
        for (int s = 0; s <= steps; s++) {
            losses[s] = pr.net().lossAndGradient(p, pr.x(), pr.y(), g);
            if (s == steps) {
                break;
            }
            clipping.apply(g);
            for (int i = 0; i < p.length; i++) {
                p[i] -= RATE * g[i];
            }
        }
        return losses;
    }
}
