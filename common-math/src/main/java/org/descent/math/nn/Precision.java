package org.descent.math.nn;

/**
 * Arithmetic precision of a {@link Network}'s forward and backward pass, chosen per
 * {@link Network#newWorkspace(int, Precision) workspace}. Master parameters, the gradient
 * accumulator and optimizer state are always {@code double}; only the pass itself changes.
 */
public enum Precision {
    /** Everything in double: {@code dgemm}, double activations and loss. */
    FLOAT64,
    /**
     * GEMMs ({@code sgemm}), activations and their derivatives in float on float buffers: the
     * parameters are rounded to a float copy at the start of every call, the input is rounded to
     * float (or passed as a {@link org.descent.math.FloatMatrix}), the float gradient is added to the
     * caller's double accumulator at the end, and the summed loss is accumulated in double.
     * Relative accuracy of results is about {@code 1e-6..1e-5} (float epsilon 6e-8 times the
     * depth and width of the sums), ample for SGD noise.
     */
    FLOAT32
}
