package org.descent.math.nn.layers;

import org.descent.math.nn.Precision;

/**
 * One layer of a {@link LayerDef} stack, resolved against its input shape: forward and backward on
 * a whole block of {@code n} examples, in float64. Blocks are column-major {@code n x size}
 * matrices, one example per row (see {@link Shape} for the column order).
 *
 * <p>Parameters are a view into the network's one flat {@code double[]}: a weight matrix of
 * {@link #weightRows()} x {@link #weightCols()} stored column-major at {@code wOff} and a bias of
 * {@link #biasSize()} entries at {@code bOff} (either may be empty). The gradient buffer has the
 * same layout (the same offsets); {@link #backward} ADDS into it.
 *
 * <p>Call order per block: {@link #newBuffers(int, Precision)} once per workspace, then {@link #forward}, then
 * (for training) {@link #backward} with the same input, {@code n} and buffers. Layers are immutable
 * and thread-safe; buffers are not.
 *
 * <p>Float32: the {@code float[]} twins of forward and backward compute the same maths on float buffers
 * (sgemm; transcendental functions evaluated in double and rounded once) against a float copy of the
 * parameters, adding into a float gradient; they need buffers made for {@link Precision#FLOAT32}.
 */
public interface Layer {
    Shape inShape();

    Shape outShape();

    /** Rows of the weight matrix (its fan-in); 0 when the layer has no weights. */
    int weightRows();

    /** Columns of the weight matrix (its fan-out); 0 when the layer has no weights. */
    int weightCols();

    int biasSize();

    /** {@code dense}, {@code conv2d}, ... with the layer's settings, e.g. {@code conv2d 16x5x5/1 relu}. */
    String describe();

    /** Float64 scratch for blocks of up to {@code maxRows} examples, allocated once. */
    default Buffers newBuffers(int maxRows) {
        return newBuffers(maxRows, Precision.FLOAT64);
    }

    /** Scratch for blocks of up to {@code maxRows} examples computed in {@code precision}, allocated once. */
    Buffers newBuffers(int maxRows, Precision precision);

    /**
     * Computes the layer's output for the first {@code n} rows of {@code in} (an {@code n x
     * inShape().size()} block) and returns the buffer holding it ({@code n x outShape().size()},
     * leading dimension n): one of {@code b}'s buffers, or {@code in} itself for a reshape.
     */
    double[] forward(double[] params, int wOff, int bOff, double[] in, int n, Buffers b);

    /**
     * Given {@code dOut = ∂S/∂output} (may be overwritten), adds {@code ∂S/∂W} and {@code ∂S/∂b} into
     * {@code grad} and, if {@code needInputGradient}, returns {@code ∂S/∂in} (a buffer of {@code b}, or
     * {@code dOut} itself for a reshape); otherwise returns null. Requires the forward of the same block
     * to have run on {@code b} just before.
     */
    double[] backward(double[] params, int wOff, int bOff, double[] in, int n, Buffers b, double[] dOut,
                      double[] grad, boolean needInputGradient);

    /** Float32 twin of {@link #forward(double[], int, int, double[], int, Buffers)} (FLOAT32 buffers). */
    float[] forward(float[] params, int wOff, int bOff, float[] in, int n, Buffers b);

    /**
     * Float32 twin of {@link #backward(double[], int, int, double[], int, Buffers, double[], double[], boolean)}:
     * adds into the float {@code grad} (FLOAT32 buffers).
     */
    float[] backward(float[] params, int wOff, int bOff, float[] in, int n, Buffers b, float[] dOut,
                     float[] grad, boolean needInputGradient);

    /** Per-workspace scratch of one layer; subclasses add what their backward needs. */
    class Buffers {
        final int maxRows;
        /** Whether the arrays are float ({@link Precision#FLOAT32}) rather than double. */
        final boolean f32;

        protected Buffers(int maxRows, Precision precision) {
            this.maxRows = maxRows;
            this.f32 = precision == Precision.FLOAT32;
        }

        /** {@code len} doubles in float64 buffers, else none (null). */
        final double[] doubles(int len) {
            return f32 ? null : new double[len];
        }

        /** {@code len} floats in float32 buffers, else none (null). */
        final float[] floats(int len) {
            return f32 ? new float[len] : null;
        }
    }
}
