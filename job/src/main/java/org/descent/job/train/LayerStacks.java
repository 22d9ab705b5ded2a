package org.descent.job.train;

import java.util.ArrayList;
import java.util.List;
import org.descent.job.config.ModelConfig;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.ShapeMismatchException;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.layers.LayerDef;

/**
 * {@code model.layers} plus the data's feature and class counts: the configured layers over
 * {@code model.input-shape} (flat {@code [numFeatures]} when unset), then an IDENTITY dense output
 * layer of {@code numClasses} (softmax CE) or 1 (real labels, MSE) units.
 */
final class LayerStacks {
    private LayerStacks() {}

    static ModelArchitecture build(ModelConfig cfg, int numFeatures, int numClasses) {
        List<Integer> shape = cfg.inputShape().isEmpty() ? List.of(numFeatures) : cfg.inputShape();
        long product = shape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
        if (product != numFeatures) {
            throw new InputDataException("model.input-shape " + shape + " holds " + product
                    + " features but the training data has " + numFeatures + "; fix model.input-shape or data.num-features");
        }
        boolean classifier = numClasses > 0;
        if (classifier && numClasses < 2) {
            throw new InputDataException("model.type = mlp needs at least 2 classes; the data has " + numClasses);
        }
        List<LayerDef> stack = new ArrayList<>(cfg.layers());
        stack.add(new LayerDef.Dense(classifier ? numClasses : 1, ActivationKind.IDENTITY, cfg.leakySlope()));
        try {
            return ModelArchitecture.ofStack("mlp", shape, stack, classifier ? LossKind.SOFTMAX_CE : LossKind.MSE,
                    numFeatures, classifier ? numClasses : 0);
        } catch (ShapeMismatchException e) {
            throw new InputDataException("model.layers: " + e.getMessage() + " (model.input-shape " + shape + ")");
        }
    }
}
