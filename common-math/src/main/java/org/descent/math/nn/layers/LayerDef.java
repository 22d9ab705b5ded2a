package org.descent.math.nn.layers;

import java.io.Serializable;
import java.util.Locale;
import org.descent.math.ShapeMismatchException;
import org.descent.math.nn.ActivationKind;

/**
 * What one layer of a model is, independent of its input shape: the serialisable description a
 * config, a model directory and a Spark task share. {@link #build(Shape, int)} resolves it against
 * the shape the previous layer produces, failing with a {@link ShapeMismatchException} that names the
 * layer (by position and {@link #describe()}) and both shapes.
 */
public sealed interface LayerDef extends Serializable {

    /** The config name: dense, conv2d, max-pool, avg-pool, flatten, rnn, lstm. */
    String type();

    /** e.g. {@code conv2d(filters=16, kernel=5, stride=1, padding=0, relu)}. */
    String describe();

    /** The runtime layer for input {@code in}; {@code index} names it in errors. */
    Layer build(Shape in, int index);

    /** A dense layer on the flattened input. */
    record Dense(int units, ActivationKind activation, double leakySlope) implements LayerDef {
        public Dense {
            positive("dense units", units);
            checkActivation(activation, leakySlope);
        }

        @Override public String type() { return "dense"; }

        @Override
        public String describe() {
            return "dense(units=" + units + ", " + name(activation) + ")";
        }

        @Override
        public Layer build(Shape in, int index) {
            return new DenseLayer(in, units, activation, leakySlope);
        }
    }

    /** 2-D convolution over a {@code channels x height x width} input. */
    record Conv2D(int filters, int kernel, int stride, int padding, ActivationKind activation, double leakySlope)
            implements LayerDef {
        public Conv2D {
            positive("conv2d filters", filters);
            positive("conv2d kernel", kernel);
            positive("conv2d stride", stride);
            if (padding < 0) {
                throw new IllegalArgumentException("conv2d padding must be >= 0, got " + padding);
            }
            checkActivation(activation, leakySlope);
            if (activation == ActivationKind.SOFTMAX) {
                throw new IllegalArgumentException("conv2d activation softmax is not supported; use relu, tanh, ...");
            }
        }

        @Override public String type() { return "conv2d"; }

        @Override
        public String describe() {
            return "conv2d(filters=" + filters + ", kernel=" + kernel + ", stride=" + stride + ", padding=" + padding
                    + ", " + name(activation) + ")";
        }

        @Override
        public Layer build(Shape in, int index) {
            requireRank(this, index, in, 3, "channels x height x width");
            int h = in.dim(1) + 2 * padding;
            int w = in.dim(2) + 2 * padding;
            if (h < kernel || w < kernel) {
                throw new ShapeMismatchException(where(this, index) + ": input " + in + " (padded " + h + "x" + w
                        + ") is smaller than the kernel " + kernel + "x" + kernel);
            }
            return new Conv2DLayer(in, filters, kernel, stride, padding, activation, leakySlope);
        }
    }

    /** Max or average pooling; {@code stride} is usually {@code size}. */
    record Pool2D(boolean max, int size, int stride) implements LayerDef {
        public Pool2D {
            positive("pool size", size);
            positive("pool stride", stride);
        }

        @Override public String type() { return max ? "max-pool" : "avg-pool"; }

        @Override
        public String describe() {
            return type() + "(size=" + size + ", stride=" + stride + ")";
        }

        @Override
        public Layer build(Shape in, int index) {
            requireRank(this, index, in, 3, "channels x height x width");
            if (in.dim(1) < size || in.dim(2) < size) {
                throw new ShapeMismatchException(where(this, index) + ": input " + in + " is smaller than the window "
                        + size + "x" + size);
            }
            return new Pool2DLayer(in, max, size, stride);
        }
    }

    /** Reshape to one feature vector. */
    record Flatten() implements LayerDef {
        @Override public String type() { return "flatten"; }

        @Override public String describe() { return "flatten"; }

        @Override
        public Layer build(Shape in, int index) {
            return new FlattenLayer(in);
        }
    }

    /** A recurrent layer over a {@code time x features} input: tanh RNN or LSTM. */
    record Recurrent(boolean lstm, int units, boolean returnSequences) implements LayerDef {
        public Recurrent {
            positive((lstm ? "lstm" : "rnn") + " units", units);
        }

        @Override public String type() { return lstm ? "lstm" : "rnn"; }

        @Override
        public String describe() {
            return type() + "(units=" + units + (returnSequences ? ", all steps" : ", last step") + ")";
        }

        @Override
        public Layer build(Shape in, int index) {
            requireRank(this, index, in, 2, "time x features");
            return lstm ? new LstmLayer(in, units, returnSequences) : new SimpleRnnLayer(in, units, returnSequences);
        }
    }

    private static void positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
    }

    private static void checkActivation(ActivationKind activation, double leakySlope) {
        if (activation == null) {
            throw new IllegalArgumentException("layer activation is null");
        }
        if (!(leakySlope >= 0 && leakySlope < 1)) {
            throw new IllegalArgumentException("leaky ReLU slope must be in [0, 1): " + leakySlope);
        }
    }

    private static String name(ActivationKind a) {
        return a.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String where(LayerDef d, int index) {
        return "layer " + index + " " + d.describe();
    }

    private static void requireRank(LayerDef d, int index, Shape in, int rank, String what) {
        if (in.rank() != rank) {
            throw new ShapeMismatchException(where(d, index) + ": needs a " + what + " input, got " + in);
        }
    }
}
