package org.descent.math.nn;

/** The activations a dense layer may apply after its affine map. */
public enum ActivationKind {
    IDENTITY, SIGMOID, TANH, RELU, LEAKY_RELU, SOFTMAX
}
