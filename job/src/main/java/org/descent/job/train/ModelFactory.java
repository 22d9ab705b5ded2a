package org.descent.job.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.descent.job.config.ModelConfig;
import org.descent.job.config.ModelType;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;

/**
 * Turns {@code model.*} plus the data's feature and class counts into a network description.
 * Every output layer is IDENTITY: the losses apply softmax / sigmoid themselves.
 * <ul>
 *   <li>linear: {@code d -> 1}, MSE;</li>
 *   <li>logistic: {@code d -> 1} (a logit), BCE with logits; exactly 2 classes;</li>
 *   <li>softmax: {@code d -> k}, softmax cross-entropy;</li>
 *   <li>mlp: {@code d -> h1 -> ... -> hL -> k} (class labels, softmax CE) or {@code -> 1} (real labels, MSE);
 *       with {@code model.layers} the configured layers over {@code model.input-shape}, then that output layer
 *       ({@link LayerStacks}).</li>
 * </ul>
 */
public final class ModelFactory {
    private ModelFactory() {}

    /** @param numClasses 0 for real labels */
    public static ModelArchitecture build(ModelConfig cfg, int numFeatures, int numClasses) {
        if (numFeatures < 1) throw new InputDataException("the training data has no features");
        String type = cfg.type().name().toLowerCase(Locale.ROOT);
        List<LayerSpec> layers = new ArrayList<>();
        return switch (cfg.type()) {
            case LINEAR -> {
                layers.add(new LayerSpec(numFeatures, 1, ActivationKind.IDENTITY, cfg.leakySlope()));
                yield new ModelArchitecture(type, layers, LossKind.MSE, numFeatures, 0);
            }
            case LOGISTIC -> {
                if (numClasses != 2) {
                    throw new InputDataException("model.type = logistic needs labels 0/1 (2 classes); the data has "
                            + numClasses + " classes; use model.type = softmax");
                }
                layers.add(new LayerSpec(numFeatures, 1, ActivationKind.IDENTITY, cfg.leakySlope()));
                yield new ModelArchitecture(type, layers, LossKind.BCE_LOGITS, numFeatures, 2);
            }
            case SOFTMAX -> {
                requireClasses(numClasses, cfg.type());
                layers.add(new LayerSpec(numFeatures, numClasses, ActivationKind.IDENTITY, cfg.leakySlope()));
                yield new ModelArchitecture(type, layers, LossKind.SOFTMAX_CE, numFeatures, numClasses);
            }
            case MLP -> {
                if (!cfg.layers().isEmpty()) {
                    yield LayerStacks.build(cfg, numFeatures, numClasses);
                }
                int in = numFeatures;
                for (int i = 0; i < cfg.hiddenLayers().size(); i++) {
                    int out = cfg.hiddenLayers().get(i);
                    layers.add(new LayerSpec(in, out, cfg.hiddenActivations().get(i), cfg.leakySlope()));
                    in = out;
                }
                boolean classifier = numClasses > 0;
                if (classifier) requireClasses(numClasses, cfg.type());
                layers.add(new LayerSpec(in, classifier ? numClasses : 1, ActivationKind.IDENTITY, cfg.leakySlope()));
                yield new ModelArchitecture(type, layers, classifier ? LossKind.SOFTMAX_CE : LossKind.MSE,
                        numFeatures, classifier ? numClasses : 0);
            }
        };
    }

    private static void requireClasses(int numClasses, ModelType type) {
        if (numClasses < 2) {
            throw new InputDataException("model.type = " + type.name().toLowerCase(Locale.ROOT)
                    + " needs at least 2 classes; the data has " + numClasses);
        }
    }
}
