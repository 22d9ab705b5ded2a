package org.descent.math.nn.layers;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of ONE example as a layer sees it: {@code [features]} (rank 1), {@code [time, features]}
 * (rank 2, a sequence) or {@code [channels, height, width]} (rank 3, an image). A block of {@code n}
 * examples is always a column-major {@code n x size()} matrix (one example per row) whose column
 * index enumerates the dimensions in row-major order: feature {@code (c, h, w)} is column
 * {@code (c * height + h) * width + w}, feature {@code (t, d)} is column {@code t * features + d}.
 * So channel {@code c} of an image block, or time step {@code t} of a sequence block, is itself a
 * contiguous column-major {@code n x (height*width)} or {@code n x features} matrix (leading
 * dimension {@code n}): the layers use that to run GEMMs on slices without copying.
 */
public record Shape(List<Integer> dims) implements Serializable {
    public Shape {
        if (dims == null || dims.isEmpty() || dims.size() > 3) {
            throw new IllegalArgumentException("a shape has 1 to 3 dimensions, got " + dims);
        }
        dims = List.copyOf(dims);
        long size = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive: " + dims);
            }
            size *= d;
        }
        if (size > Integer.MAX_VALUE / 8) {
            throw new IllegalArgumentException("shape " + dims + " has too many features: " + size);
        }
    }

    public static Shape of(int... dims) {
        List<Integer> l = new ArrayList<>(dims.length);
        for (int d : dims) {
            l.add(d);
        }
        return new Shape(l);
    }

    public int rank() { return dims.size(); }

    public int dim(int i) { return dims.get(i); }

    /** Number of features per example: the product of the dimensions. */
    public int size() {
        int s = 1;
        for (int d : dims) {
            s *= d;
        }
        return s;
    }

    /** {@code 1x28x28}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < dims.size(); i++) {
            if (i > 0) b.append('x');
            b.append(dims.get(i));
        }
        return b.toString();
    }
}
