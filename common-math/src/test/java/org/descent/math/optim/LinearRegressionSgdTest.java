package org.descent.math.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.blas.BLAS;
import java.util.List;
import org.descent.math.BreezeInterop;
import org.descent.math.Matrix;
import java.util.Random;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.ParameterLayout;
import org.junit.jupiter.api.Test;

/**
 * End-to-end: least-squares linear regression {@code y ~ X w + b} trained with mini-batch {@link Sgd}
 * converges to the normal-equation solution {@code theta = (A^T A)^{-1} A^T y} with {@code A = [X | 1]},
 * computed by Breeze's solve ({@link BreezeInterop#leastSquares}) on {@code A^T A}. The mini-batch gradient of
 * {@code L = (1/2m) ||X_b w + b - y_b||^2} is {@code X_b^T r / m} and {@code sum(r) / m} with
 * {@code r = X_b w + b - y_b}, computed with BLAS {@code dgemv} on the column-major batch.
 *
 * <p>Data: n = 2000 rows, d = 5 standard-normal features, true w = (1.5, -2, 0.5, 3, -1), b = 0.7,
 * noise N(0, 0.5^2), seed 42. Training: batch 100 (20 batches/epoch, reshuffled each epoch, seed 7),
 * 300 epochs = 6000 steps, lr = 0.1 * 0.1^(t/1500) (ends at 1e-5). Bar: relative error
 * ||theta_sgd - theta_ls|| / ||theta_ls|| &lt; 1e-4.
 */
class LinearRegressionSgdTest {
    private static final int N = 2000;
    private static final int D = 5;
    private static final int BATCH = 100;
    private static final int EPOCHS = 300;

    @Test
    void givenSyntheticLinearData_whenTrainedWithMiniBatchSgd_thenMatchesNormalEquationSolution() {
        // Given
        Random rnd = new Random(42);
        double[] trueW = {1.5, -2, 0.5, 3, -1};
        double trueB = 0.7;
        double[] x = new double[N * D]; // column-major N x D
        double[] y = new double[N];
        for (int j = 0; j < D; j++) {
            for (int i = 0; i < N; i++) {
                x[j * N + i] = rnd.nextGaussian();
            }
        }
        for (int i = 0; i < N; i++) {
            double s = trueB;
            for (int j = 0; j < D; j++) {
                s += x[j * N + i] * trueW[j];
            }
            y[i] = s + 0.5 * rnd.nextGaussian();
        }
        double[] theta = normalEquationSolution(x, y);

        // When
        ParameterLayout layout = new ParameterLayout(List.of(new LayerSpec(D, 1, ActivationKind.IDENTITY)));
        Optimizer sgd = new Sgd(new ExponentialDecaySchedule(0.1, 0.1, 1500));
        sgd.init(layout);
        double[] params = new double[layout.size()]; // [w0..w4, b]
        double[] grad = new double[layout.size()];
        double[] xb = new double[BATCH * D];
        double[] r = new double[BATCH];
        int[] order = new int[N];
        for (int i = 0; i < N; i++) order[i] = i;
        Random shuffle = new Random(7);
        BLAS blas = BLAS.getInstance();
        long step = 0;
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            for (int i = N - 1; i > 0; i--) {
                int k = shuffle.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[k];
                order[k] = tmp;
            }
            for (int start = 0; start < N; start += BATCH) {
                for (int j = 0; j < D; j++) {
                    for (int i = 0; i < BATCH; i++) {
                        xb[j * BATCH + i] = x[j * N + order[start + i]];
                    }
                }
                double b = params[D];
                for (int i = 0; i < BATCH; i++) {
                    r[i] = b - y[order[start + i]];
                }
                blas.dgemv("N", BATCH, D, 1.0, xb, BATCH, params, 1, 1.0, r, 1); // r = Xb w + b - yb
                blas.dgemv("T", BATCH, D, 1.0 / BATCH, xb, BATCH, r, 1, 0.0, grad, 1); // grad_w = Xb^T r / m
                double sumR = 0;
                for (double v : r) sumR += v;
                grad[D] = sumR / BATCH;
                sgd.step(params, grad, step++);
            }
        }

        // Then
        double diff = 0;
        double norm = 0;
        for (int j = 0; j <= D; j++) {
            diff += (params[j] - theta[j]) * (params[j] - theta[j]);
            norm += theta[j] * theta[j];
        }
        double rel = Math.sqrt(diff / norm);
        assertTrue(rel < 1e-4, "relative error " + rel + " of SGD vs normal equations");
        // the least-squares fit is close to (but, with noise, not equal to) the generating parameters
        assertEquals(trueB, theta[D], 0.1);
        assertTrue(Math.abs(theta[0] - trueW[0]) > 1e-6, "noise should move the LS solution off the truth");
    }

    /** Solves (A^T A) theta = A^T y with A = [X | 1] (Breeze's solve on BLAS-built normal equations). */
    private static double[] normalEquationSolution(double[] x, double[] y) {
        int p = D + 1;
        double[] a = new double[N * p];
        System.arraycopy(x, 0, a, 0, N * D);
        java.util.Arrays.fill(a, N * D, N * p, 1.0);
        return BreezeInterop.leastSquares(Matrix.wrap(N, p, a), y);
    }
}
