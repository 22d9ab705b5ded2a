package org.descent.job.model;

import java.time.Instant;
import java.util.Map;
import org.descent.math.scale.Scaler;

/**
 * Everything in {@code metadata.json} besides the parameters. {@code scaler} is null when the model
 * was trained without feature scaling; {@code trainingConfig} is the resolved HOCON the run used;
 * {@code metrics} are the final epoch's figures (e.g. trainLoss, validationLoss, validationAccuracy).
 */
public record ModelMetadata(int formatVersion, ModelArchitecture architecture, int numParams,
                            Scaler scaler, String trainingConfig, Map<String, Double> metrics,
                            Instant createdAt) {
    public static final int FORMAT_VERSION = 1;

    public ModelMetadata {
        metrics = Map.copyOf(metrics);
    }
}
