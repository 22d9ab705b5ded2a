package org.descent.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import scala.runtime.AbstractFunction1;

/**
 * A param's {@code isValid}: validates {@code key = value} on top of the estimator's default context
 * with the job's config validator and throws its {@link org.descent.job.config.ConfigError} (so
 * {@code set} fails with the config's own message, naming the key). Spark calls it for every
 * {@code set}, {@code setDefault}, copy and load.
 */
final class ConfigCheck<T> extends AbstractFunction1<T, Object> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final List<String> context;

    ConfigCheck(String key, List<String> context) {
        this.key = key;
        this.context = List.copyOf(context);
    }

    @Override
    public Object apply(T value) {
        List<String> o = new ArrayList<>(context);
        o.add(JobSettings.override(key, value));
        JobSettings.check(o);
        return Boolean.TRUE;
    }
}
