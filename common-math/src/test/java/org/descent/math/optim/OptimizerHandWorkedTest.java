package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.junit.jupiter.api.Test;

/**
 * Three steps of every optimizer on a hand-worked example. Layout 1 -> 1 gives two parameters
 * {@code [w, b]} (a weight and a bias), both starting at 1.0 and receiving the same gradients
 * g_1 = 0.5, g_2 = -0.25, g_3 = 1.0, with a constant learning rate lr = 0.1. Expected values were
 * worked out from each update formula in 50-digit decimal arithmetic (rounded to 18 digits); the
 * comments show the arithmetic.
 */
class OptimizerHandWorkedTest {
    private static final double TOL = 1e-12;
    private static final double[][] GRADS = {{0.5, 0.5}, {-0.25, -0.25}, {1.0, 1.0}};
    private static final ParameterLayout LAYOUT =
            new ParameterLayout(List.of(new LayerSpec(1, 1, ActivationKind.IDENTITY)));
    private static final LearningRateSchedule LR = new ConstantSchedule(0.1);

    /** Runs three steps and returns [w, b] after each step. */
    private static double[][] threeSteps(Optimizer opt) {
        opt.init(LAYOUT);
        double[] params = {1.0, 1.0};
        double[][] trace = new double[3][];
        for (int t = 0; t < 3; t++) {
            opt.step(params, GRADS[t].clone(), t);
            trace[t] = params.clone();
        }
        return trace;
    }

    private static void assertTrace(double[] expected, double[][] trace, int coord) {
        for (int t = 0; t < 3; t++) {
            assertEquals(expected[t], trace[t][coord], TOL, "after step " + (t + 1) + ", param " + coord);
        }
    }

    @Test
    void givenSgd_whenThreeSteps_thenMatchesHandArithmetic() {
        // w1 = 1 - 0.1*0.5 = 0.95; w2 = 0.95 - 0.1*(-0.25) = 0.975; w3 = 0.975 - 0.1*1 = 0.875
        double[] expected = {0.95, 0.975, 0.875};
        double[][] trace = threeSteps(new Sgd(LR));
        assertTrace(expected, trace, 0);
        assertTrace(expected, trace, 1);
    }

    @Test
    void givenMomentum_whenThreeSteps_thenMatchesHandArithmetic() {
        // mu = 0.9, v = mu v + g, w -= lr v
        // v1 = 0.5                 w1 = 1 - 0.05 = 0.95
        // v2 = 0.45 - 0.25 = 0.2   w2 = 0.95 - 0.02 = 0.93
        // v3 = 0.18 + 1 = 1.18     w3 = 0.93 - 0.118 = 0.812
        double[] expected = {0.95, 0.93, 0.812};
        double[][] trace = threeSteps(new MomentumSgd(LR, 0.9));
        assertTrace(expected, trace, 0);
        assertTrace(expected, trace, 1);
    }

    @Test
    void givenNesterov_whenThreeSteps_thenMatchesHandArithmetic() {
        // mu = 0.9, v = mu v + g, w -= lr (g + mu v)
        // v1 = 0.5   w1 = 1 - 0.1*(0.5 + 0.45) = 0.905
        // v2 = 0.2   w2 = 0.905 - 0.1*(-0.25 + 0.18) = 0.912
        // v3 = 1.18  w3 = 0.912 - 0.1*(1 + 1.062) = 0.7058
        double[] expected = {0.905, 0.912, 0.7058};
        double[][] trace = threeSteps(new NesterovSgd(LR, 0.9));
        assertTrace(expected, trace, 0);
        assertTrace(expected, trace, 1);
    }

    @Test
    void givenAdagrad_whenThreeSteps_thenMatchesHandArithmetic() {
        // eps = 1e-10, G += g^2, w -= lr g / (sqrt(G) + eps)
        // G1 = 0.25    w1 = 1 - 0.05/(0.5 + 1e-10)                    = 0.900000000020000000
        // G2 = 0.3125  w2 = w1 + 0.025/(0.5590169943749474 + 1e-10)   = 0.944721359561995794
        // G3 = 1.3125  w3 = w2 - 0.1/(1.1456439237389600 + 1e-10)     = 0.857434203475217889
        double[] expected = {0.900000000020000000, 0.944721359561995794, 0.857434203475217889};
        double[][] trace = threeSteps(new Adagrad(LR, 1e-10));
        assertTrace(expected, trace, 0);
        assertTrace(expected, trace, 1);
    }

    @Test
    void givenRmsProp_whenThreeSteps_thenMatchesHandArithmetic() {
        // rho = 0.9, eps = 1e-8, E = 0.9 E + 0.1 g^2, w -= lr g / (sqrt(E) + eps)
        // E1 = 0.025     w1 = 1 - 0.05/(0.158113883008419 + 1e-8)       = 0.683772253983160802
        // E2 = 0.02875   w2 = w1 + 0.025/(0.169558249578131 + 1e-8)     = 0.831214201442406274
        // E3 = 0.125875  w3 = w2 - 0.1/(0.354788669886340 + 1e-8)       = 0.549356279303668542
        double[] expected = {0.683772253983160802, 0.831214201442406274, 0.549356279303668542};
        double[][] trace = threeSteps(new RmsProp(LR, 0.9, 1e-8));
        assertTrace(expected, trace, 0);
        assertTrace(expected, trace, 1);
    }

    @Test
    void givenAdam_whenThreeSteps_thenMatchesHandArithmetic() {
        // beta1 = 0.9, beta2 = 0.999, eps = 1e-8
        // t=1: m = 0.05, v = 0.00025; mhat = 0.05/0.1 = 0.5, vhat = 0.00025/0.001 = 0.25
        //      w1 = 1 - 0.1*0.5/(0.5 + 1e-8)                                         = 0.900000001999999960
        // t=2: m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225
        //      mhat = 0.02/0.19 = 0.10526315789, vhat = 0.00031225/0.001999 = 0.15620310155
        //      w2 = w1 - 0.1*0.10526315789/(0.39522538019 + 1e-8)                    = 0.873366298707846163
        // t=3: m = 0.018 + 0.1 = 0.118, v = 0.00031193775 + 0.001 = 0.00131193775
        //      mhat = 0.118/0.271 = 0.43542435424, vhat = 0.00131193775/0.002997001 = 0.43774685093
        //      w3 = w2 - 0.1*0.43542435424/(0.66162443737 + 1e-8)                    = 0.807555139677089616
        double[] expected = {0.900000001999999960, 0.873366298707846163, 0.807555139677089616};
        double[][] trace = threeSteps(new Adam(LR, 0.9, 0.999, 1e-8));
        assertTrace(expected, trace, 0);
        assertTrace(expected, trace, 1);
    }

    @Test
    void givenAdamW_whenThreeSteps_thenWeightDecaysAndBiasFollowsAdam() {
        // Same moments as Adam; the weight also gets -lr * lambda * w_{t-1}, lambda = 0.1:
        // w1 = 1 - 0.1*(0.99999998 + 0.1*1)                     = 0.890000001999999960
        // w2 = w1 - 0.1*(0.26633701 + 0.1*w1)                   = 0.854466298687846163
        // w3 = w2 - 0.1*(0.65811482 + 0.1*w2)                   = 0.780110476670211154
        // The bias is exempt (default), so it follows plain Adam exactly.
        double[] expectedWeight = {0.890000001999999960, 0.854466298687846163, 0.780110476670211154};
        double[] expectedBias = {0.900000001999999960, 0.873366298707846163, 0.807555139677089616};
        double[][] trace = threeSteps(new AdamW(LR, 0.9, 0.999, 1e-8, 0.1, false));
        assertTrace(expectedWeight, trace, 0);
        assertTrace(expectedBias, trace, 1);
    }

    @Test
    void givenAdamWDecayingBiases_whenThreeSteps_thenBiasDecaysLikeWeight() {
        double[] expectedWeight = {0.890000001999999960, 0.854466298687846163, 0.780110476670211154};
        double[][] trace = threeSteps(new AdamW(LR, 0.9, 0.999, 1e-8, 0.1, true));
        assertTrace(expectedWeight, trace, 0);
        assertTrace(expectedWeight, trace, 1);
    }

    @Test
    void givenScheduledRate_whenStepping_thenOptimizerUsesRateOfStepIndex() {
        // SGD with lr(t) = 0.1 * 0.5^t: w1 = 1 - 0.1*0.5 = 0.95; w2 = 0.95 + 0.05*0.25 = 0.9625;
        // w3 = 0.9625 - 0.025*1 = 0.9375
        Sgd sgd = new Sgd(new ExponentialDecaySchedule(0.1, 0.5, 1));
        double[][] trace = threeSteps(sgd);
        assertTrace(new double[] {0.95, 0.9625, 0.9375}, trace, 0);
        assertEquals(0.025, sgd.learningRate(2), TOL);
    }
}
