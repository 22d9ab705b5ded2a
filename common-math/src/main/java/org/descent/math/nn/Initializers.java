package org.descent.math.nn;

import java.util.SplittableRandom;

/**
 * Seeded weight initialisation into a flat parameter buffer laid out by {@link ParameterLayout}.
 * One {@code new SplittableRandom(seed)} draws layer 0's weights in buffer order (column-major),
 * then layer 1's, and so on; biases are zero. Same seed, same layout: bit-identical parameters.
 *
 * <ul>
 *   <li>XAVIER_UNIFORM: {@code U(-a, a)}, {@code a = sqrt(6 / (n_in + n_out))}</li>
 *   <li>XAVIER_NORMAL: {@code N(0, 2 / (n_in + n_out))}</li>
 *   <li>HE_NORMAL: {@code N(0, 2 / n_in)}</li>
 *   <li>LECUN_NORMAL: {@code N(0, 1 / n_in)}</li>
 *   <li>ZEROS: all zero</li>
 * </ul>
 */
public final class Initializers {
    private Initializers() {}

    /** A new buffer of {@code layout.size()} parameters initialised by {@code kind}. */
    public static double[] initialise(ParameterLayout layout, InitKind kind, long seed) {
        double[] params = new double[layout.size()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int l = 0; l < layout.numLayers(); l++) {
            // fan-in x fan-out: in x out for a dense layer, C·K·K x filters for a convolution, ...
            ParameterLayout.Segment w = layout.weight(l);
            fillWeights(params, w.offset(), w.rows(), w.cols(), kind, rng);
        }
        return params;
    }

    /** Fills {@code in * out} weights at {@code offset} by {@code kind}, drawing from {@code rng}. */
    public static void fillWeights(double[] params, int offset, int in, int out, InitKind kind,
                                   SplittableRandom rng) {
        int len = in * out;
        switch (kind) {
            case ZEROS -> java.util.Arrays.fill(params, offset, offset + len, 0.0);
            case XAVIER_UNIFORM -> {
                double a = Math.sqrt(6.0 / (in + out));
                for (int i = 0; i < len; i++) {
                    params[offset + i] = a * (2.0 * rng.nextDouble() - 1.0);
                }
            }
            case XAVIER_NORMAL -> gaussian(params, offset, len, Math.sqrt(2.0 / (in + out)), rng);
            case HE_NORMAL -> gaussian(params, offset, len, Math.sqrt(2.0 / in), rng);
            case LECUN_NORMAL -> gaussian(params, offset, len, Math.sqrt(1.0 / in), rng);
        }
    }

    private static void gaussian(double[] params, int offset, int len, double std, SplittableRandom rng) {
        for (int i = 0; i < len; i++) {
            params[offset + i] = std * rng.nextGaussian();
        }
    }
}
