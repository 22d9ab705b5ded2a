package org.descent.math.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Seeded initialisers: reproducible, zero biases, the documented scale. */
class InitializersTest {
    private static final Network NET = new Network(List.of(
            new LayerSpec(400, 300, ActivationKind.RELU), new LayerSpec(300, 10, ActivationKind.IDENTITY)),
            LossKind.SOFTMAX_CE);

    private static double[] weights(double[] params, int layer) {
        ParameterLayout.Segment w = NET.layout().weight(layer);
        return Arrays.copyOfRange(params, w.offset(), w.offset() + w.length());
    }

    private static double std(double[] v) {
        double m = Arrays.stream(v).average().orElse(0);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / v.length);
    }

    @ParameterizedTest
    @EnumSource(InitKind.class)
    void givenSameSeed_whenInitialised_thenBitIdenticalAndBiasesZero(InitKind kind) {
        double[] a = NET.initParams(kind, 17);
        double[] b = NET.initParams(kind, 17);

        assertArrayEquals(a, b, 0.0);
        boolean[] bias = NET.layout().biasMask();
        for (int i = 0; i < a.length; i++) {
            if (bias[i]) {
                assertEquals(0.0, a[i]);
            }
        }
        if (kind != InitKind.ZEROS) {
            assertFalse(Arrays.equals(a, NET.initParams(kind, 18)), "another seed must give other weights");
        }
    }

    @Test
    void givenEachKind_whenInitialised_thenEmpiricalScaleMatchesFormula() {
        double heStd = std(weights(NET.initParams(InitKind.HE_NORMAL, 1), 0));
        double lecunStd = std(weights(NET.initParams(InitKind.LECUN_NORMAL, 1), 0));
        double xavierNormalStd = std(weights(NET.initParams(InitKind.XAVIER_NORMAL, 1), 0));
        double[] xu = weights(NET.initParams(InitKind.XAVIER_UNIFORM, 1), 0);
        double bound = Math.sqrt(6.0 / 700);

        assertEquals(Math.sqrt(2.0 / 400), heStd, 0.01 * Math.sqrt(2.0 / 400));
        assertEquals(Math.sqrt(1.0 / 400), lecunStd, 0.01 * Math.sqrt(1.0 / 400));
        assertEquals(Math.sqrt(2.0 / 700), xavierNormalStd, 0.01 * Math.sqrt(2.0 / 700));
        assertEquals(bound / Math.sqrt(3), std(xu), 0.01 * bound / Math.sqrt(3));
        assertTrue(Arrays.stream(xu).allMatch(v -> Math.abs(v) <= bound));
        assertTrue(Arrays.stream(NET.initParams(InitKind.ZEROS, 1)).allMatch(v -> v == 0.0));
    }
}
