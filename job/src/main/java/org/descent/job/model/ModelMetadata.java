package org.descent.job.model;

import java.time.Instant;
import java.util.Map;
import org.descent.math.scale.Scaler;

/**
 * Everything in {@code metadata.json} besides the parameters. {@code scaler} is null when the model
 * was trained without feature scaling; {@code trainingConfig} is the resolved HOCON the run used;
 * {@code metrics} are the final epoch's figures (e.g. trainLoss, validationLoss, validationAccuracy).
 * A model with conv, pooling or recurrent layers is always format {@link #STACK_FORMAT_VERSION}.
 */
public record ModelMetadata(int formatVersion, ModelArchitecture architecture, int numParams,
                            Scaler scaler, String trainingConfig, Map<String, Double> metrics,
                            Instant createdAt) {
    /** The version written for dense models (readable by every build since format 1). */
    public static final int FORMAT_VERSION = 1;
    /** Format 2 adds {@code inputShape} and typed layers (conv2d, pooling, flatten, rnn, lstm). */
    public static final int STACK_FORMAT_VERSION = 2;

    public ModelMetadata {
        metrics = Map.copyOf(metrics);
        if (architecture.hasStack()) {
            formatVersion = Math.max(formatVersion, STACK_FORMAT_VERSION);
        }
    }
}
