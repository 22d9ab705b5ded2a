package org.descent.job.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.nn.layers.LayerDef;
import org.descent.math.nn.layers.Shape;

/**
 * A serialisable description of a network: what Spark ships to executors (each builds its own
 * {@link Network}) and what {@code metadata.json} stores. {@code modelType} is the config name
 * (linear, logistic, softmax, mlp); {@code numClasses} is 0 for regression.
 *
 * <p>A dense network is its {@code layers} ({@code in -> out}, activation). A network with conv,
 * pooling or recurrent layers ({@code model.layers}) also carries its {@code stack} of
 * {@link LayerDef}s (output layer included) and the {@code inputShape} a row's features map onto;
 * {@code layers} then summarises each layer by its flattened input and output sizes. For dense
 * networks {@code stack} and {@code inputShape} are empty.
 */
public record ModelArchitecture(String modelType, List<LayerSpec> layers, LossKind loss, int numFeatures,
                                int numClasses, List<Integer> inputShape, List<LayerDef> stack)
        implements Serializable {

    public ModelArchitecture {
        layers = List.copyOf(layers);
        inputShape = List.copyOf(inputShape);
        stack = List.copyOf(stack);
    }

    /** A dense network. */
    public ModelArchitecture(String modelType, List<LayerSpec> layers, LossKind loss, int numFeatures, int numClasses) {
        this(modelType, layers, loss, numFeatures, numClasses, List.of(), List.of());
    }

    /**
     * A network of general layers over examples of shape {@code inputShape} (product = numFeatures);
     * {@code stack} ends with the dense output layer. A stack of only dense/flatten layers becomes the
     * equivalent dense architecture (so it is stored, checkpointed and computed exactly like one).
     *
     * @throws org.descent.math.ShapeMismatchException naming the layer and both shapes
     */
    public static ModelArchitecture ofStack(String modelType, List<Integer> inputShape, List<LayerDef> stack,
                                            LossKind loss, int numFeatures, int numClasses) {
        Network net = Network.of(new Shape(inputShape), stack, loss);
        List<LayerSpec> summary = new ArrayList<>();
        summary.addAll(net.layout().layers());
        if (!net.isStack()) {
            return new ModelArchitecture(modelType, summary, loss, numFeatures, numClasses);
        }
        return new ModelArchitecture(modelType, summary, loss, numFeatures, numClasses, inputShape, stack);
    }

    public Network toNetwork() {
        if (!stack.isEmpty()) {
            return Network.of(new Shape(inputShape), stack, loss);
        }
        return new Network(layers, loss);
    }

    /** True when the network has conv, pooling or recurrent layers. */
    public boolean hasStack() {
        return !stack.isEmpty();
    }

    public int outputSize() {
        return layers.get(layers.size() - 1).out();
    }

    /** True for the classifiers (logistic, softmax and class-label MLPs). */
    public boolean isClassifier() {
        return loss != LossKind.MSE;
    }

    /**
     * {@code 784-256(relu)-128(relu)-10(identity)}; with a stack
     * {@code 1x28x28 conv2d(...) max-pool(...) ... dense(units=10, identity)}.
     */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (!stack.isEmpty()) {
            b.append(new Shape(inputShape));
            for (LayerDef d : stack) {
                b.append(' ').append(d.describe());
            }
        } else {
            b.append(layers.get(0).in());
            for (LayerSpec l : layers) {
                b.append('-').append(l.out()).append('(').append(l.activation().name().toLowerCase()).append(')');
            }
        }
        return modelType + " " + b + ", loss " + loss.name().toLowerCase();
    }
}
