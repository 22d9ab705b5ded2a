package org.descent.job.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One line of {@code metrics.jsonl}:
 * <pre>
 * {"epoch":1, "step":120, "time":"2026-01-01T12:00:00Z", "elapsedSeconds":3.2, "epochSeconds":3.2,
 *  "trainSeconds":2.9, "validationSeconds":0.3, "trainLoss":0.41, "learningRate":0.01, "gradNorm":1.7, "rowsPerSecond":20000.0,
 *  "validation":{"loss":0.44, "accuracy":0.87, ...}}
 * </pre>
 * {@code epoch} is 1-based, {@code step} the optimizer steps done so far; {@code epochSeconds} is the epoch's
 * wall time = {@code trainSeconds} (steps, job launches included) + {@code validationSeconds}; {@code elapsedSeconds}
 * counts the run's time across resumed processes; {@code gradNorm} the last
 * step's gradient norm before clipping; {@code validation} is empty without a validation set. NaN is
 * written as {@code null}.
 */
public record EpochRecord(int epoch, long step, Instant time, double elapsedSeconds, double epochSeconds,
                          double trainSeconds, double validationSeconds, double trainLoss, double learningRate, double gradNorm, double rowsPerSecond,
                          Map<String, Double> validation) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public EpochRecord {
        validation = Map.copyOf(new TreeMap<>(validation));
    }

    /** The validation figures of a trainer metrics map: {@code validationLoss -> loss}, etc. */
    public static Map<String, Double> validationOf(Map<String, Double> metrics) {
        Map<String, Double> v = new TreeMap<>();
        metrics.forEach((k, x) -> {
            if (k.startsWith("validation") && k.length() > "validation".length() && !k.equals("validationRows")) {
                String name = k.substring("validation".length());
                v.put(Character.toLowerCase(name.charAt(0)) + name.substring(1), x);
            }
        });
        return v;
    }

    /** This record with another optimizer step count. */
    public EpochRecord withStep(long newStep) {
        return new EpochRecord(epoch, newStep, time, elapsedSeconds, epochSeconds, trainSeconds, validationSeconds,
                trainLoss, learningRate, gradNorm, rowsPerSecond, validation);
    }

    public String toJsonLine() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("epoch", epoch);
        n.put("step", step);
        n.put("time", time.toString());
        put(n, "elapsedSeconds", elapsedSeconds);
        put(n, "epochSeconds", epochSeconds);
        put(n, "trainSeconds", trainSeconds);
        put(n, "validationSeconds", validationSeconds);
        put(n, "trainLoss", trainLoss);
        put(n, "learningRate", learningRate);
        put(n, "gradNorm", gradNorm);
        put(n, "rowsPerSecond", rowsPerSecond);
        ObjectNode v = n.putObject("validation");
        new TreeMap<>(validation).forEach((k, x) -> put(v, k, x));
        return n.toString();
    }

    static void put(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) n.put(key, v); else n.putNull(key);
    }
}
