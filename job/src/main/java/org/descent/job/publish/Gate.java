package org.descent.job.publish;

import java.util.Locale;
import java.util.Map;

/**
 * The promotion rule: with metric m (direction d: +1 higher is better, -1 lower is better), candidate c
 * and current model r, promote iff {@code d * (c - r) >= -tolerance}, i.e. the candidate is not worse
 * than the current model by more than the tolerance. A NaN candidate figure never passes.
 */
public enum Gate {
    ACCURACY("validationAccuracy", 1), AUC("validationAuc", 1), R2("validationR2", 1),
    LOSS("validationLoss", -1), RMSE("validationRmse", -1);

    private final String key;
    private final int direction;

    Gate(String key, int direction) {
        this.key = key;
        this.direction = direction;
    }

    public static Gate parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--metric '" + s + "' is not one of accuracy, auc, r2, loss, rmse");
        }
    }

    /** The metric from {@code GateEvaluation.evaluate}'s map; throws when the model type has no such metric. */
    public double value(Map<String, Double> metrics, String what) {
        Double v = metrics.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--metric " + name().toLowerCase(Locale.ROOT) + " is not computed for "
                    + what + " (has " + metrics.keySet() + ")");
        }
        return v;
    }

    public boolean passes(double candidate, double current, double tolerance) {
        if (Double.isNaN(candidate)) return false;
        if (Double.isNaN(current)) return true;
        return direction * (candidate - current) >= -tolerance;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
