package org.descent.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a job configuration: HOCON file, then {@code --set key=value} overrides, then the built-in
 * defaults ({@code defaults.conf} next to this class), and validates everything into a {@link JobConfig}
 * before any Spark code runs.
 *
 * <p>Why HOCON (Typesafe Config): the job's settings are naturally nested sections (data, model,
 * optimizer, ...), users want comments next to hyper-parameters, shared settings can be pulled in
 * with {@code include "common.conf"}, and {@code --set a.b=c} overrides are parsed by the very same
 * parser (so {@code --set model.hidden-layers=[64,32]} and quoting behave exactly as in a file).
 *
 * <p>Checks, in order: syntax; unknown keys (anything not in defaults.conf, except free-form
 * {@code spark.conf.*}) with a "did you mean" suggestion; per-key type and range; cross-key rules.
 */
public final class ConfigLoader {
    private static final String DEFAULTS = "org/descent/job/config/defaults.conf";

    private ConfigLoader() {}

    /** Loads {@code file} (null = defaults only) with overrides {@code key=value} applied on top. */
    public static JobConfig load(File file, List<String> overrides) {
        Config user = ConfigFactory.empty();
        if (file != null) {
            if (!file.isFile()) {
                throw new ConfigError(null, "config file not found: " + file);
            }
            try {
                user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new ConfigError(null, "cannot parse config file " + file + ": " + e.getMessage());
            }
        }
        return fromConfig(applyOverrides(user, overrides));
    }

    /** Same as {@link #load} from HOCON text (tests, embedded use). */
    public static JobConfig parse(String hocon, List<String> overrides) {
        Config user;
        try {
            user = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription("config"));
        } catch (ConfigException e) {
            throw new ConfigError(null, "cannot parse config: " + e.getMessage());
        }
        return fromConfig(applyOverrides(user, overrides));
    }

    static Config applyOverrides(Config base, List<String> overrides) {
        Config result = base;
        for (String o : overrides == null ? List.<String>of() : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new ConfigError(null, "--set expects key=value, got '" + o + "'");
            }
            String key = o.substring(0, eq).trim();
            Config one;
            try {
                ConfigUtil.splitPath(key);
                one = ConfigFactory.parseString(key + " = " + o.substring(eq + 1),
                        ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
                                .setOriginDescription("--set " + o));
            } catch (ConfigException e) {
                // Not HOCON (typically an unquoted URI such as hdfs://nn:9000/x): take the raw text as a string.
                try {
                    one = ConfigFactory.empty().withValue(key,
                            ConfigValueFactory.fromAnyRef(o.substring(eq + 1).trim(), "--set " + o));
                } catch (ConfigException e2) {
                    throw new ConfigError(key, "cannot parse --set " + o + ": " + e.getMessage());
                }
            }
            result = one.withFallback(result);
        }
        return result;
    }

    private static JobConfig fromConfig(Config user) {
        Config defaults = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), DEFAULTS,
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config merged;
        try {
            user = user.resolve();
            merged = user.withFallback(defaults).resolve();
        } catch (ConfigException e) {
            throw new ConfigError(null, "cannot resolve config: " + e.getMessage());
        }
        checkUnknownKeys(user, defaults);
        JobConfig parsed = ConfigValidator.validate(new TypedReader(merged),
                merged.root().render(ConfigRenderOptions.defaults().setOriginComments(false).setComments(false)));
        return parsed;
    }

    private static void checkUnknownKeys(Config user, Config defaults) {
        Set<String> known = new TreeSet<>();
        leaves(defaults.root(), new ArrayList<>(), known);
        Set<String> given = new TreeSet<>();
        leaves(user.root(), new ArrayList<>(), given);
        for (String key : given) {
            if (known.contains(key)) continue;
            List<String> parts = ConfigUtil.splitPath(key);
            if (parts.size() > 2 && parts.get(0).equals("spark") && parts.get(1).equals("conf")) continue;
            String hint = KeySuggester.suggest(key, known);
            throw new ConfigError(key, "unknown config key '" + key + "' ("
                    + TypedReader.originOf(user.getValue(key)) + ")"
                    + (hint != null ? ": did you mean '" + hint + "'?" : "; see conf/*.conf for the keys"));
        }
    }

    /** Dotted paths of every leaf (non-object value, null included) under {@code obj}. */
    private static void leaves(ConfigObject obj, List<String> prefix, Set<String> out) {
        for (var e : obj.entrySet()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            ConfigValue v = e.getValue();
            boolean freeForm = path.size() == 2 && path.get(0).equals("spark") && path.get(1).equals("conf");
            if (v.valueType() == ConfigValueType.OBJECT && !(freeForm && ((ConfigObject) v).isEmpty())) {
                leaves((ConfigObject) v, path, out);
            } else {
                out.add(ConfigUtil.joinPath(path));
            }
        }
    }
}
