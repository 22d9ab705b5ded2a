package org.descent.ml;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;

/**
 * The bridge between Spark ML params and the job's configuration: a param value becomes a
 * {@code key=value} override in HOCON syntax, and a set of them is validated by the job's own
 * {@link ConfigLoader} into a {@link JobConfig}. So the config records stay the one source of truth:
 * the same defaults ({@code defaults.conf}), the same type and range rules, the same error messages
 * ({@link org.descent.job.config.ConfigError}, naming the config key).
 */
final class JobSettings {
    /** Placeholder paths: the data come from a DataFrame and the model is returned, not written. */
    static final String TRAIN_PATH = "<DataFrame>";
    static final String MODEL_PATH = "<spark-ml model>";
    private static final Config DEFAULTS = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(),
            "org/descent/job/config/defaults.conf", ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    /** Checks are pure functions of their overrides; the same value is set again on every copy(). */
    private static final Map<List<String>, RuntimeException> CHECKED = new ConcurrentHashMap<>();
    private static final RuntimeException VALID = new RuntimeException("valid");

    private JobSettings() {}

    /** The default of {@code key} in defaults.conf, or null when it has none ({@code key = null}). */
    static Config defaults() {
        return DEFAULTS;
    }

    /** {@code key=value}, the value rendered as HOCON (numbers, quoted strings, lists). */
    static String override(String key, Object value) {
        Object v = value;
        if (value instanceof int[] a) v = Arrays.stream(a).boxed().toList();
        if (value instanceof String[] a) v = List.of(a);
        return key + "=" + ConfigValueFactory.fromAnyRef(v).render(ConfigRenderOptions.concise());
    }

    /** The overrides every estimator starts from: placeholder paths and the label type. */
    static List<String> base(boolean classifier) {
        List<String> o = new ArrayList<>();
        o.add(override("data.train-path", TRAIN_PATH));
        o.add(override("output.model-path", MODEL_PATH));
        o.add(override("data.label-type", classifier ? "class-index" : "real"));
        return o;
    }

    /** Validates through the job's config loader; throws its ConfigError unchanged. */
    static JobConfig validate(List<String> overrides) {
        return ConfigLoader.parse("", overrides);
    }

    /** {@link #validate} memoised by the overrides (set-time checks). */
    static void check(List<String> overrides) {
        List<String> k = List.copyOf(overrides);
        RuntimeException r = CHECKED.computeIfAbsent(k, x -> {
            try {
                validate(x);
                return VALID;
            } catch (RuntimeException e) {
                return e;
            }
        });
        if (r != VALID) throw r;
    }
}
