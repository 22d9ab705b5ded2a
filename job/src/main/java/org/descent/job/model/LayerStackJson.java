package org.descent.job.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.layers.LayerDef;

/**
 * The JSON form of a {@link LayerDef}, shared by {@code metadata.json} (format 2) and checkpoints:
 * {@code {"type": "conv2d", "filters": 16, "kernel": 5, "stride": 1, "padding": 0, "activation": "relu",
 * "leakySlope": 0.01}}, {@code {"type": "max-pool", "size": 2, "stride": 2}}, {@code {"type": "flatten"}},
 * {@code {"type": "lstm", "units": 64, "returnSequences": false}}, {@code {"type": "dense", "units": 10,
 * "activation": "identity", "leakySlope": 0.01}}. Reading names {@code where} in every error.
 */
public final class LayerStackJson {
    private LayerStackJson() {}

    /** Adds the fields of {@code d} to {@code n}. */
    public static void write(LayerDef d, ObjectNode n) {
        n.put("type", d.type());
        if (d instanceof LayerDef.Dense x) {
            n.put("units", x.units());
            n.put("activation", name(x.activation()));
            n.put("leakySlope", x.leakySlope());
        } else if (d instanceof LayerDef.Conv2D x) {
            n.put("filters", x.filters());
            n.put("kernel", x.kernel());
            n.put("stride", x.stride());
            n.put("padding", x.padding());
            n.put("activation", name(x.activation()));
            n.put("leakySlope", x.leakySlope());
        } else if (d instanceof LayerDef.Pool2D x) {
            n.put("size", x.size());
            n.put("stride", x.stride());
        } else if (d instanceof LayerDef.Recurrent x) {
            n.put("units", x.units());
            n.put("returnSequences", x.returnSequences());
        }
    }

    public static void writeAll(List<LayerDef> stack, ArrayNode out) {
        for (LayerDef d : stack) {
            write(d, out.addObject());
        }
    }

    /** Parses one layer; every problem is a {@link ModelFormatException} naming {@code where}. */
    public static LayerDef read(JsonNode n, String where) {
        if (n == null || !n.isObject()) {
            throw new ModelFormatException(where + ": a layer must be a JSON object");
        }
        String type = text(n, "type", where);
        try {
            return switch (type) {
                case "dense" -> new LayerDef.Dense(integer(n, "units", where), activation(n, where),
                        number(n, "leakySlope", where));
                case "conv2d" -> new LayerDef.Conv2D(integer(n, "filters", where), integer(n, "kernel", where),
                        integer(n, "stride", where), integer(n, "padding", where), activation(n, where),
                        number(n, "leakySlope", where));
                case "max-pool", "avg-pool" -> new LayerDef.Pool2D(type.equals("max-pool"), integer(n, "size", where),
                        integer(n, "stride", where));
                case "flatten" -> new LayerDef.Flatten();
                case "rnn", "lstm" -> new LayerDef.Recurrent(type.equals("lstm"), integer(n, "units", where),
                        bool(n, "returnSequences", where));
                default -> throw new ModelFormatException(where + ": layer type '" + type
                        + "' is not one of dense, conv2d, max-pool, avg-pool, flatten, rnn, lstm");
            };
        } catch (ModelFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": " + e.getMessage());
        }
    }

    public static List<LayerDef> readAll(JsonNode array, String where) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new ModelFormatException(where + ": must be a non-empty array of layers");
        }
        List<LayerDef> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            out.add(read(array.get(i), where + "[" + i + "]"));
        }
        return out;
    }

    private static String name(ActivationKind a) {
        return a.name().toLowerCase(Locale.ROOT);
    }

    private static ActivationKind activation(JsonNode n, String where) {
        String raw = text(n, "activation", where);
        try {
            return ActivationKind.valueOf(raw.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": 'activation' = '" + raw + "' is not one of "
                    + java.util.Arrays.toString(ActivationKind.values()).toLowerCase(Locale.ROOT));
        }
    }

    private static int integer(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ModelFormatException(where + ": '" + field + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) {
            throw new ModelFormatException(where + ": '" + field + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isBoolean()) {
            throw new ModelFormatException(where + ": '" + field + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new ModelFormatException(where + ": '" + field + "' must be a string, got " + v);
        }
        return v.asText();
    }
}
