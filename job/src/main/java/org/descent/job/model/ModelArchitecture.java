package org.descent.job.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;

/**
 * A serialisable description of a network: what Spark ships to executors (each builds its own
 * {@link Network}) and what {@code metadata.json} stores. {@code modelType} is the config name
 * (linear, logistic, softmax, mlp); {@code numClasses} is 0 for regression.
 */
public record ModelArchitecture(String modelType, List<Layer> layers, LossKind loss, int numFeatures,
                                int numClasses) implements Serializable {

    /** One dense layer {@code in -> out} with its activation. */
    public record Layer(int in, int out, ActivationKind activation, double leakySlope) implements Serializable {}

    public ModelArchitecture {
        layers = List.copyOf(layers);
    }

    public Network toNetwork() {
        List<LayerSpec> specs = new ArrayList<>();
        for (Layer l : layers) {
            specs.add(new LayerSpec(l.in(), l.out(), l.activation(), l.leakySlope()));
        }
        return new Network(specs, loss);
    }

    public int outputSize() {
        return layers.get(layers.size() - 1).out();
    }

    /** True for the classifiers (logistic, softmax and class-label MLPs). */
    public boolean isClassifier() {
        return loss != LossKind.MSE;
    }

    /** {@code 784-256(relu)-128(relu)-10(identity)}. */
    public String describe() {
        StringBuilder b = new StringBuilder().append(layers.get(0).in());
        for (Layer l : layers) {
            b.append('-').append(l.out()).append('(').append(l.activation().name().toLowerCase()).append(')');
        }
        return modelType + " " + b + ", loss " + loss.name().toLowerCase();
    }
}
