package org.descent.job.config;

import java.util.List;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.layers.LayerDef;

/**
 * The {@code model} section, validated: {@code hiddenLayers} and {@code hiddenActivations} have the
 * same length (empty unless {@link ModelType#MLP}). {@code layers} is {@code model.layers} (mlp only,
 * exclusive with hidden-layers; the output layer is not in it) and {@code inputShape} is
 * {@code model.input-shape} (empty: one flat feature vector); both shapes were resolved through the
 * layers at config time.
 */
public record ModelConfig(ModelType type, List<Integer> hiddenLayers, List<ActivationKind> hiddenActivations,
                          double leakySlope, InitKind init, List<LayerDef> layers, List<Integer> inputShape) {
    public ModelConfig {
        hiddenLayers = List.copyOf(hiddenLayers);
        hiddenActivations = List.copyOf(hiddenActivations);
        layers = List.copyOf(layers);
        inputShape = List.copyOf(inputShape);
    }

    /** A dense model (no {@code model.layers}). */
    public ModelConfig(ModelType type, List<Integer> hiddenLayers, List<ActivationKind> hiddenActivations,
                       double leakySlope, InitKind init) {
        this(type, hiddenLayers, hiddenActivations, leakySlope, init, List.of(), List.of());
    }
}
