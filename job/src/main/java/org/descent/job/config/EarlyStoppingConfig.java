package org.descent.job.config;

import java.util.Locale;

/**
 * {@code training.early-stopping}: stop when {@code metric} has not improved by more than
 * {@code minDelta} for {@code patience} consecutive epochs; the best epoch's parameters are saved.
 * Validated to have a validation set and a metric that fits the model type.
 */
public record EarlyStoppingConfig(boolean enabled, Metric metric, int patience, double minDelta) {

    public static final EarlyStoppingConfig OFF = new EarlyStoppingConfig(false, Metric.VALIDATION_LOSS, 3, 0.0);

    /** What is watched; {@code key} is the name in the trainer's per-epoch metrics ("validation" prefix). */
    public enum Metric {
        VALIDATION_LOSS("validationLoss", false),
        ACCURACY("validationAccuracy", true),
        AUC("validationAuc", true),
        RMSE("validationRmse", false),
        R2("validationR2", true);

        private final String key;
        private final boolean higherIsBetter;

        Metric(String key, boolean higherIsBetter) {
            this.key = key;
            this.higherIsBetter = higherIsBetter;
        }

        public String key() {
            return key;
        }

        public boolean higherIsBetter() {
            return higherIsBetter;
        }

        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
