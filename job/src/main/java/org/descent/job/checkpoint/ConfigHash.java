package org.descent.job.checkpoint;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The identity of a training configuration for resuming: SHA-256 (hex) of its canonical form, the
 * sorted lines {@code key=value} of every leaf of the resolved config (values as concise JSON, null
 * included) EXCEPT keys that cannot change the trained parameters:
 * {@code output.*}, {@code checkpoint.*}, {@code spark.*} and {@code training.storage-level}.
 * Everything else is in, deliberately including {@code training.epochs} (cosine schedules and the
 * final step depend on it) and {@code data.*} (a moved data set needs {@code --force-resume}).
 *
 * <p>Keys added after checkpoints existed ({@link #OMITTED_AT_DEFAULT}) are in the hash only when set to
 * something other than their default: at the default they train exactly as before the key existed, so
 * older checkpoints still resume; {@code training.precision = float32} gives a different hash.
 */
public final class ConfigHash {
    /** Key prefixes left out of the hash (a key matches when it equals the prefix or starts with prefix + "."). */
    public static final List<String> EXCLUDED = List.of("output", "checkpoint", "spark", "training.storage-level");
    /** Later keys and their default's canonical (concise JSON) value: a leaf equal to it is left out. */
    public static final Map<String, String> OMITTED_AT_DEFAULT = Map.of("training.precision", "\"float64\"");

    private ConfigHash() {}

    /** The canonical text of a resolved HOCON config (what is hashed). */
    public static String canonical(String resolvedHocon) {
        Config c = ConfigFactory.parseString(resolvedHocon);
        Map<String, String> leaves = new TreeMap<>();
        leaves(c.root(), "", leaves);
        StringBuilder b = new StringBuilder();
        leaves.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString();
    }

    public static String of(String resolvedHocon) {
        return sha256(canonical(resolvedHocon).getBytes(StandardCharsets.UTF_8));
    }

    /** Keys whose canonical lines differ between two canonical texts (sorted), for error messages. */
    public static Set<String> differingKeys(String canonicalA, String canonicalB) {
        Map<String, String> a = parse(canonicalA);
        Map<String, String> b = parse(canonicalB);
        Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        keys.removeIf(k -> a.containsKey(k) && a.get(k).equals(b.get(k)));
        return keys;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> parse(String canonical) {
        Map<String, String> m = new TreeMap<>();
        for (String line : canonical.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }

    private static void leaves(ConfigObject obj, String prefix, Map<String, String> out) {
        for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (excluded(key)) continue;
            ConfigValue v = e.getValue();
            if (v.valueType() == ConfigValueType.OBJECT && !((ConfigObject) v).isEmpty()) {
                leaves((ConfigObject) v, key, out);
            } else {
                String rendered = v.render(ConfigRenderOptions.concise());
                if (!rendered.equals(OMITTED_AT_DEFAULT.get(key))) out.put(key, rendered);
            }
        }
    }

    static boolean excluded(String key) {
        for (String p : EXCLUDED) {
            if (key.equals(p) || key.startsWith(p + ".")) return true;
        }
        return false;
    }
}
