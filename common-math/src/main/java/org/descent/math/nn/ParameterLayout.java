package org.descent.math.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where each layer's weights and bias live inside the one flat parameter buffer (and, with the same
 * layout, inside the flat gradient). Layer {@code l}'s weight matrix {@code W_l} ({@code in x out}) is
 * stored column-major at {@code weightOffset(l)}, followed by its bias ({@code out} entries) at
 * {@code biasOffset(l)}. This buffer is what Spark broadcasts, aggregates and checkpoints.
 */
public final class ParameterLayout {
    /** What a segment holds. Regularisation exempts {@link Kind#BIAS} by default. */
    public enum Kind { WEIGHT, BIAS }

    /** A contiguous range {@code [offset, offset + length)} of the flat buffer. */
    public record Segment(String name, int layer, Kind kind, int offset, int length, int rows, int cols) {}

    private final List<LayerSpec> layers;
    private final List<Segment> segments;
    private final int size;

    public ParameterLayout(List<LayerSpec> layers) {
        this(layers, denseShapes(layers));
    }

    /**
     * The layout of a stack of general layers: layer {@code l}'s weight matrix is
     * {@code weightRows() x weightCols()} (its fan-in x fan-out, e.g. {@code C·K·K x filters} for a
     * convolution), then {@code biasSize()} bias entries; layers without parameters get empty
     * segments. {@link #layers()} then holds one summary per layer: flattened input and output sizes
     * ({@code in x out} is NOT the weight shape there; {@link #weight(int)} has it).
     */
    public static ParameterLayout ofStack(List<org.descent.math.nn.layers.Layer> stack, List<ActivationKind> activations) {
        List<LayerSpec> summaries = new ArrayList<>();
        int[][] shapes = new int[stack.size()][];
        for (int l = 0; l < stack.size(); l++) {
            org.descent.math.nn.layers.Layer layer = stack.get(l);
            summaries.add(new LayerSpec(layer.inShape().size(), layer.outShape().size(), activations.get(l)));
            shapes[l] = new int[] {layer.weightRows(), layer.weightCols(), layer.biasSize()};
        }
        return new ParameterLayout(summaries, shapes);
    }

    private static int[][] denseShapes(List<LayerSpec> layers) {
        int[][] shapes = new int[layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            shapes[l] = new int[] {layers.get(l).in(), layers.get(l).out(), layers.get(l).out()};
        }
        return shapes;
    }

    /** {@code shapes[l] = {weight rows, weight cols, bias length}}. */
    private ParameterLayout(List<LayerSpec> layers, int[][] shapes) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        List<Segment> segs = new ArrayList<>();
        long offset = 0;
        for (int l = 0; l < layers.size(); l++) {
            LayerSpec s = layers.get(l);
            if (l > 0 && layers.get(l - 1).out() != s.in()) {
                throw new IllegalArgumentException("layer " + l + " takes " + s.in()
                        + " inputs but layer " + (l - 1) + " gives " + layers.get(l - 1).out());
            }
            int rows = shapes[l][0];
            int cols = shapes[l][1];
            long weights = (long) rows * cols;
            if (offset + weights > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("too many parameters for one flat buffer: " + (offset + weights));
            }
            segs.add(new Segment("layer" + l + ".W", l, Kind.WEIGHT, (int) offset, (int) weights, rows, cols));
            offset += weights;
            segs.add(new Segment("layer" + l + ".b", l, Kind.BIAS, (int) offset, shapes[l][2], shapes[l][2], 1));
            offset += shapes[l][2];
            if (offset > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("too many parameters for one flat buffer: " + offset);
            }
        }
        this.layers = List.copyOf(layers);
        this.segments = Collections.unmodifiableList(segs);
        this.size = (int) offset;
    }

    /** Total number of parameters. */
    public int size() { return size; }

    public int numLayers() { return layers.size(); }

    public List<LayerSpec> layers() { return layers; }

    /** Weight and bias segments in buffer order (W0, b0, W1, b1, ...). */
    public List<Segment> segments() { return segments; }

    public Segment weight(int layer) { return segments.get(2 * layer); }

    public Segment bias(int layer) { return segments.get(2 * layer + 1); }

    public int weightOffset(int layer) { return weight(layer).offset(); }

    public int biasOffset(int layer) { return bias(layer).offset(); }

    /** {@code mask[i]} is true where parameter {@code i} is a bias. */
    public boolean[] biasMask() {
        boolean[] mask = new boolean[size];
        for (Segment s : segments) {
            if (s.kind() == Kind.BIAS) {
                java.util.Arrays.fill(mask, s.offset(), s.offset() + s.length(), true);
            }
        }
        return mask;
    }

    /** The segment holding flat index {@code i}. */
    public Segment segmentOf(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("parameter index " + i + " outside [0, " + size + ")");
        }
        for (Segment s : segments) {
            if (i < s.offset() + s.length()) {
                return s;
            }
        }
        throw new AssertionError();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ParameterLayout[");
        for (int l = 0; l < layers.size(); l++) {
            if (l > 0) b.append(", ");
            b.append(layers.get(l).in()).append("->").append(layers.get(l).out());
        }
        return b.append("; ").append(size).append(" params]").toString();
    }
}
