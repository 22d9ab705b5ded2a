package org.descent.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Typed reads from the merged configuration; every failure is a {@link ConfigError} naming the key,
 * the value as written, where it came from (file:line or the --set override) and what is allowed.
 * Enum values are written in kebab case ({@code leaky-relu} for {@code LEAKY_RELU}).
 */
final class TypedReader {
    private final Config config;

    TypedReader(Config config) {
        this.config = config;
    }

    boolean isSet(String key) {
        return config.hasPath(key); // false for null values
    }

    /** A string, or null when unset/null. */
    String optionalString(String key) {
        if (!config.hasPath(key)) return null;
        ConfigValue v = config.getValue(key);
        if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
            throw error(key, "must be a string, not " + v.valueType().name().toLowerCase(Locale.ROOT));
        }
        String s = String.valueOf(v.unwrapped());
        return s.isBlank() ? null : s;
    }

    String requiredString(String key, String what) {
        String s = optionalString(key);
        if (s == null) {
            throw new ConfigError(key, "config key '" + key + "' is required: " + what);
        }
        return s;
    }

    boolean bool(String key) {
        try {
            return config.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw error(key, "must be true or false");
        }
    }

    int integer(String key, long min, long max) {
        return (int) longValue(key, min, Math.min(max, Integer.MAX_VALUE));
    }

    long longValue(String key, long min, long max) {
        Number n = number(key, "an integer");
        double d = n.doubleValue();
        if (d != Math.rint(d) || Double.isInfinite(d)) {
            throw error(key, "must be a whole number " + range(min, max));
        }
        long v = n.longValue();
        if (v < min || v > max) {
            throw error(key, "must be " + range(min, max));
        }
        return v;
    }

    /** A finite real number satisfying {@code [min, max]} with the given openness. */
    double real(String key, double min, boolean minOpen, double max, boolean maxOpen) {
        double v = number(key, "a number").doubleValue();
        boolean ok = Double.isFinite(v)
                && (minOpen ? v > min : v >= min)
                && (maxOpen ? v < max : v <= max);
        if (!ok) {
            String lo = Double.isInfinite(min) ? "" : (minOpen ? "> " : ">= ") + fmt(min);
            String hi = Double.isInfinite(max) ? "" : (maxOpen ? "< " : "<= ") + fmt(max);
            String allowed = lo.isEmpty() ? hi : hi.isEmpty() ? lo : lo + " and " + hi;
            throw error(key, "must be a finite number " + allowed);
        }
        return v;
    }

    <E extends Enum<E>> E enumeration(String key, Class<E> type) {
        String raw = optionalString(key);
        if (raw == null) {
            throw new ConfigError(key, "config key '" + key + "' is required; allowed: " + allowed(type));
        }
        return parseEnum(key, raw, type);
    }

    <E extends Enum<E>> E parseEnum(String key, String raw, Class<E> type) {
        String norm = raw.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(norm)) return e;
        }
        List<String> names = Arrays.stream(type.getEnumConstants()).map(TypedReader::kebab).toList();
        String hint = KeySuggester.suggest(raw.trim().toLowerCase(Locale.ROOT), names);
        throw error(key, "is not allowed; allowed: " + String.join(", ", names)
                + (hint != null ? " (did you mean '" + hint + "'?)" : ""));
    }

    List<Integer> intList(String key, int min) {
        ConfigList list = list(key);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object o = list.get(i).unwrapped();
            Integer v = null;
            if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                    && n.doubleValue() >= min && n.doubleValue() <= Integer.MAX_VALUE) {
                v = n.intValue();
            } else if (o instanceof String s) {
                try {
                    int p = Integer.parseInt(s.trim());
                    if (p >= min) v = p;
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            if (v == null) {
                throw error(key, "element " + i + " (" + render(list.get(i)) + ") must be a whole number >= " + min);
            }
            out.add(v);
        }
        return out;
    }

    List<String> stringList(String key) {
        ConfigList list = list(key);
        List<String> out = new ArrayList<>();
        for (ConfigValue v : list) {
            if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
                throw error(key, "must be a list of strings");
            }
            out.add(String.valueOf(v.unwrapped()));
        }
        return out;
    }

    /** A flat string map (e.g. {@code spark.conf}); nested objects are joined with dots. */
    Map<String, String> stringMap(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!config.hasPath(key)) return out;
        ConfigValue v = config.getValue(key);
        if (v.valueType() != ConfigValueType.OBJECT) {
            throw error(key, "must be an object of settings, e.g. { \"spark.executor.memory\" = \"4g\" }");
        }
        flatten("", (ConfigObject) v, out, key);
        return out;
    }

    private void flatten(String prefix, ConfigObject obj, Map<String, String> out, String key) {
        for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
            String name = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            ConfigValue v = e.getValue();
            if (v.valueType() == ConfigValueType.OBJECT) {
                flatten(name, (ConfigObject) v, out, key);
            } else if (v.valueType() == ConfigValueType.LIST) {
                throw new ConfigError(key + "." + name, "config key '" + key + "." + name
                        + "' must be a string, number or boolean, not a list");
            } else if (v.valueType() != ConfigValueType.NULL) {
                out.put(name, String.valueOf(v.unwrapped()));
            }
        }
    }

    ConfigList list(String key) {
        if (!config.hasPath(key)) return com.typesafe.config.ConfigValueFactory.fromIterable(List.of());
        ConfigValue v = config.getValue(key);
        if (v.valueType() != ConfigValueType.LIST) {
            throw error(key, "must be a list, e.g. [256, 128]");
        }
        return (ConfigList) v;
    }

    private Number number(String key, String what) {
        if (!config.hasPath(key)) {
            throw new ConfigError(key, "config key '" + key + "' is required: " + what);
        }
        try {
            return config.getNumber(key);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw error(key, "must be " + what);
        }
    }

    /** {@code config key 'k' = v (origin): problem}. */
    ConfigError error(String key, String problem) {
        String value = "null";
        String origin = "";
        if (config.hasPathOrNull(key) && !config.getIsNull(key)) {
            ConfigValue v = config.getValue(key);
            value = render(v);
            origin = " (" + originOf(v) + ")";
        }
        return new ConfigError(key, "config key '" + key + "' = " + value + origin + ": " + problem);
    }

    static String originOf(ConfigValue v) {
        String d = v.origin().description();
        if (d == null) return "?";
        d = d.replaceFirst("^String: ", "");
        return d.startsWith("--set ") ? d.replaceFirst(": \\d+$", "") : d;
    }

    static String render(ConfigValue v) {
        return v.render(com.typesafe.config.ConfigRenderOptions.concise());
    }

    static String kebab(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String allowed(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(TypedReader::kebab).collect(Collectors.joining(", "));
    }

    private static String range(long min, long max) {
        if (max >= Integer.MAX_VALUE) return ">= " + min;
        return "in [" + min + ", " + max + "]";
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }
}
