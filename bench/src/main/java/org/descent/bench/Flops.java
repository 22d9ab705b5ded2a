package org.descent.bench;

import java.util.List;
import org.descent.math.nn.LayerSpec;

/** Floating-point operation counts per benchmark invocation (a multiply-add counts as 2). */
public final class Flops {
    private Flops() {}

    /** {@code C = A B} with A m x k, B k x n: {@code 2 m n k}. */
    public static double gemm(int m, int n, int k) {
        return 2.0 * m * n * k;
    }

    /**
     * One forward + backward of a dense network on {@code rows} rows, counting the GEMMs only:
     * forward {@code Z_l = A_{l-1} W_l} and backward {@code dW_l = A_{l-1}^T dZ_l} for every layer,
     * plus {@code dA_{l-1} = dZ_l W_l^T} for every layer but the first.
     */
    public static double forwardBackward(List<LayerSpec> layers, int rows) {
        double f = 0;
        for (int l = 0; l < layers.size(); l++) {
            LayerSpec s = layers.get(l);
            double one = gemm(rows, s.out(), s.in());
            f += l == 0 ? 2 * one : 3 * one;
        }
        return f;
    }
}
