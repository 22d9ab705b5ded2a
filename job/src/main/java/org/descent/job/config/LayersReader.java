package org.descent.job.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.descent.math.ShapeMismatchException;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.layers.Layer;
import org.descent.math.nn.layers.LayerDef;
import org.descent.math.nn.layers.Shape;

/**
 * {@code model.layers} and {@code model.input-shape}: a list of layer objects, each
 * {@code {type = ..., <settings>}}:
 * <ul>
 *   <li>{@code dense}: units; activation (default model.activation);</li>
 *   <li>{@code conv2d}: filters, kernel; stride (1), padding (0), activation (default model.activation);</li>
 *   <li>{@code max-pool}, {@code avg-pool}: size; stride (default size);</li>
 *   <li>{@code flatten};</li>
 *   <li>{@code rnn} (tanh), {@code lstm}: units; return-sequences (false: only the last step's state).</li>
 * </ul>
 * The output layer (classes or 1) is added by the model factory, as after {@code hidden-layers}.
 * Every problem is a {@link ConfigError} naming {@code model.layers}, the element index, the value as
 * written and where it came from.
 */
final class LayersReader {
    private static final Map<String, Set<String>> SETTINGS = new LinkedHashMap<>();

    static {
        SETTINGS.put("dense", Set.of("units", "activation"));
        SETTINGS.put("conv2d", Set.of("filters", "kernel", "stride", "padding", "activation"));
        SETTINGS.put("max-pool", Set.of("size", "stride"));
        SETTINGS.put("avg-pool", Set.of("size", "stride"));
        SETTINGS.put("flatten", Set.of());
        SETTINGS.put("rnn", Set.of("units", "return-sequences"));
        SETTINGS.put("lstm", Set.of("units", "return-sequences"));
    }

    private LayersReader() {}

    static final String KEY = "model.layers";

    /** The configured layers (empty when unset), with {@code activation} and {@code leakySlope} defaults. */
    static List<LayerDef> read(TypedReader r, ConfigList list, ActivationKind defaultActivation, double leakySlope) {
        List<LayerDef> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue v = list.get(i);
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw r.error(KEY, "element " + i + " (" + TypedReader.render(v) + ") must be a layer object, "
                        + "e.g. {type = conv2d, filters = 16, kernel = 5}");
            }
            out.add(layer(r, i, (ConfigObject) v, defaultActivation, leakySlope));
        }
        return out;
    }

    private static LayerDef layer(TypedReader r, int i, ConfigObject o, ActivationKind defaultActivation,
                                  double leakySlope) {
        String type = string(r, i, o, "type", null);
        if (type == null || !SETTINGS.containsKey(type)) {
            String hint = type == null ? null : KeySuggester.suggest(type, SETTINGS.keySet());
            throw r.error(KEY, "element " + i + ": " + (type == null ? "needs a type" : "type '" + type + "' is unknown")
                    + "; allowed: " + String.join(", ", SETTINGS.keySet())
                    + (hint != null ? " (did you mean '" + hint + "'?)" : ""));
        }
        for (String k : o.keySet()) {
            if (!k.equals("type") && !SETTINGS.get(type).contains(k)) {
                String hint = KeySuggester.suggest(k, SETTINGS.get(type));
                throw r.error(KEY, "element " + i + " (" + type + "): unknown setting '" + k + "'; allowed: "
                        + (SETTINGS.get(type).isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(SETTINGS.get(type))))
                        + (hint != null ? " (did you mean '" + hint + "'?)" : ""));
            }
        }
        try {
            return switch (type) {
                case "dense" -> new LayerDef.Dense(integer(r, i, o, "units", -1), activation(r, i, o, defaultActivation),
                        leakySlope);
                case "conv2d" -> new LayerDef.Conv2D(integer(r, i, o, "filters", -1), integer(r, i, o, "kernel", -1),
                        integer(r, i, o, "stride", 1), integer(r, i, o, "padding", 0),
                        activation(r, i, o, defaultActivation), leakySlope);
                case "max-pool", "avg-pool" -> {
                    int size = integer(r, i, o, "size", -1);
                    yield new LayerDef.Pool2D(type.equals("max-pool"), size, integer(r, i, o, "stride", size));
                }
                case "flatten" -> new LayerDef.Flatten();
                default -> new LayerDef.Recurrent(type.equals("lstm"), integer(r, i, o, "units", -1),
                        bool(r, i, o, "return-sequences"));
            };
        } catch (ConfigError e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw r.error(KEY, "element " + i + " (" + type + "): " + e.getMessage());
        }
    }

    /**
     * Resolves the shapes through {@code layers} from {@code input}; a layer that cannot take what
     * the previous one gives is reported naming the layer and both shapes. Returns the last shape.
     */
    static Shape resolve(TypedReader r, Shape input, List<LayerDef> layers) {
        Shape s = input;
        for (int i = 0; i < layers.size(); i++) {
            try {
                Layer l = layers.get(i).build(s, i);
                s = l.outShape();
            } catch (ShapeMismatchException e) {
                throw r.error(KEY, e.getMessage() + " (model.input-shape is " + input + ")");
            }
        }
        return s;
    }

    private static String string(TypedReader r, int i, ConfigObject o, String k, String dflt) {
        ConfigValue v = o.get(k);
        if (v == null || v.valueType() == ConfigValueType.NULL) return dflt;
        if (v.valueType() != ConfigValueType.STRING) {
            throw r.error(KEY, "element " + i + ": '" + k + "' must be a string, got " + TypedReader.render(v));
        }
        return ((String) v.unwrapped()).trim().toLowerCase(java.util.Locale.ROOT);
    }

    private static int integer(TypedReader r, int i, ConfigObject o, String k, int dflt) {
        ConfigValue v = o.get(k);
        if (v == null || v.valueType() == ConfigValueType.NULL) {
            if (dflt < 0) {
                throw r.error(KEY, "element " + i + " (" + o.get("type").unwrapped() + ") needs '" + k + "'");
            }
            return dflt;
        }
        Object u = v.unwrapped();
        if (!(u instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
                || n.doubleValue() < 0 || n.doubleValue() > 1_000_000) {
            throw r.error(KEY, "element " + i + ": '" + k + "' must be a whole number, got " + TypedReader.render(v));
        }
        return n.intValue();
    }

    private static boolean bool(TypedReader r, int i, ConfigObject o, String k) {
        ConfigValue v = o.get(k);
        if (v == null || v.valueType() == ConfigValueType.NULL) return false;
        if (v.valueType() != ConfigValueType.BOOLEAN) {
            throw r.error(KEY, "element " + i + ": '" + k + "' must be true or false, got " + TypedReader.render(v));
        }
        return (Boolean) v.unwrapped();
    }

    private static ActivationKind activation(TypedReader r, int i, ConfigObject o, ActivationKind dflt) {
        String raw = string(r, i, o, "activation", null);
        ActivationKind a = raw == null ? dflt : r.parseEnum(KEY, raw, ActivationKind.class);
        if (a == ActivationKind.SOFTMAX) {
            throw r.error(KEY, "element " + i + ": softmax is not a hidden-layer activation; "
                    + "use relu, leaky-relu, tanh, sigmoid or identity");
        }
        return a;
    }
}
