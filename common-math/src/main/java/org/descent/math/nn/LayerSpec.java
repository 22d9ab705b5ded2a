package org.descent.math.nn;

/**
 * One dense layer {@code y = act(x W + b)}: {@code W} is {@code in x out}, {@code b} has {@code out}
 * entries. {@code leakySlope} is used only by {@link ActivationKind#LEAKY_RELU}.
 */
public record LayerSpec(int in, int out, ActivationKind activation, double leakySlope)
        implements java.io.Serializable {
    public LayerSpec {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("layer sizes must be positive: in=" + in + ", out=" + out);
        }
        if (activation == null) {
            throw new IllegalArgumentException("layer activation is null");
        }
        if (!(leakySlope >= 0 && leakySlope < 1)) {
            throw new IllegalArgumentException("leaky ReLU slope must be in [0, 1): " + leakySlope);
        }
    }

    public LayerSpec(int in, int out, ActivationKind activation) {
        this(in, out, activation, 0.01);
    }
}
