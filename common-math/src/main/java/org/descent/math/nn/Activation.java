package org.descent.math.nn;

import org.descent.math.Matrix;

/**
 * An activation applied to a layer's pre-activation {@code Z} (one example per row), with its
 * backward pass. Every derivative here is expressed through the OUTPUT {@code A = act(Z)}, so a
 * network keeps only {@code A} per layer and computes it in place over {@code Z}.
 *
 * <p>Call order: {@link #forwardInPlace(Matrix)} turns Z into A; later
 * {@link #backwardInPlace(Matrix, Matrix)} turns the upstream gradient dL/dA into the input
 * gradient dL/dZ, given that same A. Each has a float32 twin on {@code float[]} buffers (used by a
 * {@link Precision#FLOAT32} network pass). Implementations are stateless and thread-safe.
 */
public interface Activation {
    /** The kind this activation implements. */
    ActivationKind kind();

    /** {@code z := act(z)} element-wise (row-wise for softmax). */
    void forwardInPlace(Matrix z);

    /**
     * {@code grad := dL/dZ} given {@code a = act(z)} and {@code grad = dL/dA} on entry (same
     * shapes). Element-wise activations multiply by {@code act'(z)}; softmax applies its Jacobian
     * row by row as a Jacobian-vector product (never forming the Jacobian).
     */
    void backwardInPlace(Matrix a, Matrix grad);

    /**
     * Float32 form of {@link #forwardInPlace(Matrix)} on the first {@code rows * cols} entries of
     * the column-major {@code z} (leading dimension {@code rows}); same maths and stability tricks,
     * transcendental functions evaluated in double and rounded once to float.
     */
    void forwardInPlace(float[] z, int rows, int cols);

    /** Float32 form of {@link #backwardInPlace(Matrix, Matrix)} on {@code rows x cols} column-major arrays. */
    void backwardInPlace(float[] a, float[] grad, int rows, int cols);

    /** Allocating form: returns {@code act(z)}; {@code z} is left untouched. */
    default Matrix forward(Matrix z) {
        Matrix a = z.copy();
        forwardInPlace(a);
        return a;
    }

    /** Allocating form: returns dL/dZ from {@code a = act(z)} and the upstream {@code dL/dA}. */
    default Matrix backward(Matrix a, Matrix upstream) {
        if (!a.sameShape(upstream)) {
            throw org.descent.math.ShapeMismatchException.of("activation backward", "a", a.rows(), a.cols(),
                    "upstream", upstream.rows(), upstream.cols());
        }
        Matrix g = upstream.copy();
        backwardInPlace(a, g);
        return g;
    }

    /** The implementation of {@code kind}; {@code leakySlope} is used only by LEAKY_RELU. */
    static Activation of(ActivationKind kind, double leakySlope) {
        return switch (kind) {
            case IDENTITY -> IdentityActivation.INSTANCE;
            case SIGMOID -> SigmoidActivation.INSTANCE;
            case TANH -> TanhActivation.INSTANCE;
            case RELU -> new ReluActivation(ActivationKind.RELU, 0.0);
            case LEAKY_RELU -> new ReluActivation(ActivationKind.LEAKY_RELU, leakySlope);
            case SOFTMAX -> SoftmaxActivation.INSTANCE;
        };
    }

    /** The implementation of {@code kind} with the default leaky slope 0.01. */
    static Activation of(ActivationKind kind) {
        return of(kind, 0.01);
    }

    /** The activation a {@link LayerSpec} asks for. */
    static Activation of(LayerSpec spec) {
        return of(spec.activation(), spec.leakySlope());
    }
}
