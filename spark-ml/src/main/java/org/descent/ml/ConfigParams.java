package org.descent.ml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import com.typesafe.config.Config;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.StringArrayParam;
import org.descent.job.config.JobConfig;

/**
 * The machinery behind {@link TrainingParams}: typed Spark ML params bound to job config keys. A param is made by
 * one of the typed factories ({@code str}, {@code ints}, ..., call order: in the subclass constructor, after
 * {@code super}); {@link #register} records its (param, key) pair and gives it the key's default from the job's
 * {@code defaults.conf}; a param whose rules involve no other key gets a {@link ConfigCheck} so it is validated at
 * {@code set}. {@link #jobConfig()} translates the explicitly set params into config overrides and has the job's
 * validator build the {@link JobConfig}, so fit sees the same values and messages as a config file.
 */
public abstract class ConfigParams<E extends ConfigParams<E, M>, M extends DescentModel<M>> extends Estimator<M> {
    private final String uid;
    private final boolean classifier;
    private final List<String> context;
    private final List<Setting> settings = new ArrayList<>();

    /** A param and the config key it sets. */
    record Setting(Param<?> param, String key) {}

    protected ConfigParams(String uid, boolean classifier, List<String> context) {
        this.uid = uid;
        this.classifier = classifier;
        this.context = List.copyOf(context);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** True for the classifier (data.label-type = class-index). */
    boolean classifier() {
        return classifier;
    }

    /** Registers a param that sets {@code key}; its default is the key's default in defaults.conf. */
    protected final <P extends Param<?>> P register(P p, String key) {
        settings.add(new Setting(p, key));
        Config d = JobSettings.defaults();
        if (d.hasPath(key)) {
            Object v;
            if (p instanceof IntArrayParam) v = d.getIntList(key).stream().mapToInt(Integer::intValue).toArray();
            else if (p instanceof StringArrayParam) v = d.getStringList(key).toArray(new String[0]);
            else if (p instanceof DoubleParam) v = d.getDouble(key);
            else if (p instanceof IntParam) v = d.getInt(key);
            else if (p instanceof LongParam) v = d.getLong(key);
            else if (p instanceof BooleanParam) v = d.getBoolean(key);
            else v = d.getString(key);
            defaultTo(p, v);
        }
        return p;
    }

    @SuppressWarnings("unchecked")
    protected final void defaultTo(Param<?> p, Object value) {
        setDefault((Param<Object>) p, value);
    }

    /** The settings as config overrides on top of {@link JobSettings#base}; validated by the job. */
    public final JobConfig jobConfig() {
        return JobSettings.validate(overrides());
    }

    /**
     * The estimator's context (placeholder paths, label type, its own defaults such as the classifier's
     * model.type) and {@code key=value} for every param set explicitly; the rest comes from defaults.conf,
     * exactly as for a config file that leaves those keys out (so messages name the same origin).
     */
    final List<String> overrides() {
        List<String> o = new ArrayList<>(context);
        for (Setting s : settings) {
            if (isSet(s.param())) o.add(JobSettings.override(s.key(), getOrDefault(s.param())));
        }
        return o;
    }

    /** The registered (param, config key) pairs. */
    final List<Setting> settings() {
        return Collections.unmodifiableList(settings);
    }

    @SuppressWarnings("unchecked")
    protected final E put(Param<?> p, Object value) {
        set((Param<Object>) p, value);
        return (E) this;
    }

    private <T> ConfigCheck<T> check(String key, boolean crossKey) {
        return crossKey ? null : new ConfigCheck<>(key, context);
    }

    protected final Param<String> str(String name, String key, boolean crossKey, String doc) {
        ConfigCheck<String> c = check(key, crossKey);
        return register(c == null ? new Param<>(this, name, doc) : new Param<>(this, name, doc, c), key);
    }

    protected final IntArrayParam ints(String name, String key, boolean crossKey, String doc) {
        ConfigCheck<int[]> c = check(key, crossKey);
        return register(c == null ? new IntArrayParam(this, name, doc) : new IntArrayParam(this, name, doc, c), key);
    }

    protected final StringArrayParam strs(String name, String key, boolean crossKey, String doc) {
        ConfigCheck<String[]> c = check(key, crossKey);
        return register(c == null ? new StringArrayParam(this, name, doc) : new StringArrayParam(this, name, doc, c), key);
    }

    protected final DoubleParam real(String name, String key, boolean crossKey, String doc) {
        ConfigCheck<Object> c = check(key, crossKey);
        return register(c == null ? new DoubleParam(this, name, doc) : new DoubleParam(this, name, doc, c), key);
    }

    protected final IntParam integer(String name, String key, boolean crossKey, String doc) {
        ConfigCheck<Object> c = check(key, crossKey);
        return register(c == null ? new IntParam(this, name, doc) : new IntParam(this, name, doc, c), key);
    }

    protected final LongParam integral(String name, String key, boolean crossKey, String doc) {
        ConfigCheck<Object> c = check(key, crossKey);
        return register(c == null ? new LongParam(this, name, doc) : new LongParam(this, name, doc, c), key);
    }

    protected final BooleanParam bool(String name, String key, boolean crossKey, String doc) {
        return register(new BooleanParam(this, name, doc), key);
    }
}
