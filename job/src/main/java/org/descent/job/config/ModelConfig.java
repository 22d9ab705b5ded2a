package org.descent.job.config;

import java.util.List;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;

/**
 * The {@code model} section, validated: {@code hiddenLayers} and {@code hiddenActivations} have the
 * same length (empty unless {@link ModelType#MLP}).
 */
public record ModelConfig(ModelType type, List<Integer> hiddenLayers, List<ActivationKind> hiddenActivations,
                          double leakySlope, InitKind init) {
    public ModelConfig {
        hiddenLayers = List.copyOf(hiddenLayers);
        hiddenActivations = List.copyOf(hiddenActivations);
    }
}
