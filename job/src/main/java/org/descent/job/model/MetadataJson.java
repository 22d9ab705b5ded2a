package org.descent.job.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;

/**
 * {@code metadata.json} (format version 1; version 2 below):
 * <pre>
 * {
 *   "formatVersion": 1,
 *   "modelType": "mlp",                      // linear | logistic | softmax | mlp
 *   "layers": [ {"in": 784, "out": 256, "activation": "relu", "leakySlope": 0.01}, ... ],
 *   "loss": "softmax_ce",                    // mse | bce_logits | softmax_ce
 *   "numFeatures": 784,
 *   "numClasses": 10,                        // 0 for regression, 2 for logistic
 *   "numParams": 235146,                     // must equal params.bin's count
 *   "scaler": null | {"kind": "standard", "offset": [..numFeatures..], "scale": [..numFeatures..]},
 *             // above 4096 features: {"kind": .., "encoding": "deflate-base64-float64le", "offset": "..", "scale": ".."}
 *             // (raw little-endian doubles, deflated: the constant offsets and unit scales of a wide sparse model
 *             // shrink to almost nothing, and no JSON array of millions of numbers is written)
 *   "trainingConfig": "...resolved HOCON...",
 *   "metrics": {"trainLoss": 0.31, "validationLoss": 0.35, "validationAccuracy": 0.88, ...},
 *   "createdAt": "2026-01-01T12:00:00Z"      // UTC, ISO-8601
 * }
 * </pre>
 * Format 2 (models with conv, pooling or recurrent layers) adds {@code "inputShape": [1, 28, 28]} and a
 * {@code "type"} plus that type's settings to every layer (see {@link LayerStackJson}), e.g.
 * {@code {"type": "conv2d", "in": 784, "out": 9216, "filters": 16, "kernel": 5, ...}}; {@code in}/{@code out}
 * are then flattened sizes. Dense models are still written as format 1; both formats are read.
 * Reading checks every field; the scaler maps {@code x' = (x - offset) / scale} per feature
 * ({@link Scaler}; kind none | standard | min-max | max-abs | unit-variance).
 */
public final class MetadataJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Scalers wider than this are written compactly (see the class note). */
    static final int COMPACT_SCALER_ABOVE = 4096;
    static final String COMPACT_ENCODING = "deflate-base64-float64le";

    private MetadataJson() {}

    public static String write(ModelMetadata m) {
        ObjectNode root = MAPPER.createObjectNode();
        ModelArchitecture a = m.architecture();
        root.put("formatVersion", m.formatVersion());
        root.put("modelType", a.modelType());
        if (a.hasStack()) {
            ArrayNode shape = root.putArray("inputShape");
            a.inputShape().forEach(shape::add);
        }
        ArrayNode layers = root.putArray("layers");
        for (int i = 0; i < a.layers().size(); i++) {
            LayerSpec l = a.layers().get(i);
            ObjectNode n = layers.addObject();
            if (a.hasStack()) {
                LayerStackJson.write(a.stack().get(i), n);
                n.put("in", l.in());
                n.put("out", l.out());
                continue;
            }
            n.put("in", l.in());
            n.put("out", l.out());
            n.put("activation", l.activation().name().toLowerCase(Locale.ROOT));
            n.put("leakySlope", l.leakySlope());
        }
        root.put("loss", a.loss().name().toLowerCase(Locale.ROOT));
        root.put("numFeatures", a.numFeatures());
        root.put("numClasses", a.numClasses());
        root.put("numParams", m.numParams());
        if (m.scaler() == null) {
            root.putNull("scaler");
        } else {
            ObjectNode s = root.putObject("scaler");
            s.put("kind", m.scaler().kind().configName());
            if (m.scaler().numFeatures() > COMPACT_SCALER_ABOVE) {
                s.put("encoding", COMPACT_ENCODING);
                s.put("offset", CompactDoubles.encode(m.scaler().offsets()));
                s.put("scale", CompactDoubles.encode(m.scaler().scales()));
            } else {
                ArrayNode offset = s.putArray("offset");
                for (double d : m.scaler().offsets()) offset.add(d);
                ArrayNode scale = s.putArray("scale");
                for (double d : m.scaler().scales()) scale.add(d);
            }
        }
        root.put("trainingConfig", m.trainingConfig());
        ObjectNode metrics = root.putObject("metrics");
        new TreeMap<>(m.metrics()).forEach(metrics::put);
        root.put("createdAt", m.createdAt().toString());
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses and validates; {@code file} names the source in every error. */
    public static ModelMetadata read(String json, String file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file + ": expected a JSON object");
        }
        int version = integer(root, "formatVersion", file);
        if (version != ModelMetadata.FORMAT_VERSION && version != ModelMetadata.STACK_FORMAT_VERSION) {
            throw new ModelFormatException(file + ": formatVersion " + version + " is not supported; this build reads "
                    + ModelMetadata.FORMAT_VERSION + " and " + ModelMetadata.STACK_FORMAT_VERSION);
        }
        String type = text(root, "modelType", file);
        if (!List.of("linear", "logistic", "softmax", "mlp").contains(type)) {
            throw new ModelFormatException(file + ": modelType '" + type + "' is not one of linear, logistic, softmax, mlp");
        }
        LossKind loss = enumField(root, "loss", LossKind.class, file);
        int numFeatures = integer(root, "numFeatures", file);
        int numClasses = integer(root, "numClasses", file);
        JsonNode layersNode = root.get("layers");
        if (layersNode == null || !layersNode.isArray() || layersNode.isEmpty()) {
            throw new ModelFormatException(file + ": 'layers' must be a non-empty array");
        }
        if (version == ModelMetadata.STACK_FORMAT_VERSION) {
            return readStack(root, type, loss, numFeatures, numClasses, layersNode, version, file);
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < layersNode.size(); i++) {
            JsonNode l = layersNode.get(i);
            String where = file + " layers[" + i + "]";
            int in = integer(l, "in", where);
            int out = integer(l, "out", where);
            if (in <= 0 || out <= 0) {
                throw new ModelFormatException(where + ": sizes must be positive, got in=" + in + ", out=" + out);
            }
            int expectedIn = i == 0 ? numFeatures : layers.get(i - 1).out();
            if (in != expectedIn) {
                throw new ModelFormatException(where + ": takes " + in + " inputs but "
                        + (i == 0 ? "numFeatures is " : "layers[" + (i - 1) + "] gives ") + expectedIn);
            }
            double slope = l.has("leakySlope") ? number(l, "leakySlope", where) : 0.01;
            if (!(slope >= 0 && slope < 1)) {
                throw new ModelFormatException(where + ": leakySlope must be in [0, 1), got " + slope);
            }
            layers.add(new LayerSpec(in, out, enumField(l, "activation", ActivationKind.class, where), slope));
        }
        LayerSpec last = layers.get(layers.size() - 1);
        if (last.activation() != ActivationKind.IDENTITY) {
            throw new ModelFormatException(file + ": the output layer must have activation identity, got "
                    + last.activation().name().toLowerCase(Locale.ROOT));
        }
        checkOutputs(type, loss, numClasses, last.out(), file);
        ModelArchitecture arch = new ModelArchitecture(type, layers, loss, numFeatures, numClasses);
        return rest(root, arch, version, file);
    }

    /** Format 2: typed layers over {@code inputShape}; shapes re-resolved, sizes and parameters checked. */
    private static ModelMetadata readStack(JsonNode root, String type, LossKind loss, int numFeatures, int numClasses,
                                           JsonNode layersNode, int version, String file) {
        JsonNode shapeNode = root.get("inputShape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.isEmpty() || shapeNode.size() > 3) {
            throw new ModelFormatException(file + ": 'inputShape' must be an array of 1 to 3 positive integers");
        }
        List<Integer> shape = new ArrayList<>();
        long product = 1;
        for (JsonNode d : shapeNode) {
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() <= 0) {
                throw new ModelFormatException(file + ": 'inputShape' must be an array of positive integers, got "
                        + shapeNode);
            }
            shape.add(d.asInt());
            product *= d.asInt();
        }
        if (product != numFeatures) {
            throw new ModelFormatException(file + ": inputShape " + shapeNode + " holds " + product
                    + " features but numFeatures is " + numFeatures);
        }
        List<org.descent.math.nn.layers.LayerDef> stack = LayerStackJson.readAll(layersNode, file + " layers");
        ModelArchitecture arch;
        try {
            arch = ModelArchitecture.ofStack(type, shape, stack, loss, numFeatures, numClasses);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": invalid layers: " + e.getMessage());
        }
        for (int i = 0; i < arch.layers().size(); i++) {
            JsonNode l = layersNode.get(i);
            LayerSpec s = arch.layers().get(i);
            if (integer(l, "in", file + " layers[" + i + "]") != s.in()
                    || integer(l, "out", file + " layers[" + i + "]") != s.out()) {
                throw new ModelFormatException(file + " layers[" + i + "]: in/out " + l.get("in") + "/" + l.get("out")
                        + " do not match the layer's shapes (" + s.in() + "/" + s.out() + ")");
            }
        }
        checkOutputs(type, loss, numClasses, arch.outputSize(), file);
        return rest(root, arch, version, file);
    }

    private static ModelMetadata rest(JsonNode root, ModelArchitecture arch, int version, String file) {
        int numFeatures = arch.numFeatures();
        int numParams = integer(root, "numParams", file);
        int expectedParams = layout(arch).size();
        if (numParams != expectedParams) {
            throw new ModelFormatException(file + ": numParams is " + numParams + " but the layers need " + expectedParams);
        }
        Scaler scaler = scaler(root.get("scaler"), numFeatures, file);
        String config = root.hasNonNull("trainingConfig") ? root.get("trainingConfig").asText() : "";
        Map<String, Double> metrics = new LinkedHashMap<>();
        JsonNode m = root.get("metrics");
        if (m != null && m.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNumber()) metrics.put(e.getKey(), e.getValue().asDouble());
            }
        }
        Instant created;
        try {
            created = Instant.parse(text(root, "createdAt", file));
        } catch (DateTimeParseException e) {
            throw new ModelFormatException(file + ": createdAt is not an ISO-8601 UTC instant: " + root.get("createdAt"));
        }
        return new ModelMetadata(version, arch, numParams, scaler, config, metrics, created);
    }

    static ParameterLayout layout(ModelArchitecture arch) {
        return arch.toNetwork().layout();
    }

    private static void checkOutputs(String type, LossKind loss, int numClasses, int outputs, String file) {
        String problem = null;
        switch (type) {
            case "linear" -> { if (loss != LossKind.MSE || numClasses != 0) problem = "linear needs loss mse and numClasses 0"; }
            case "logistic" -> { if (loss != LossKind.BCE_LOGITS || numClasses != 2 || outputs != 1) problem = "logistic needs loss bce_logits, numClasses 2 and 1 output"; }
            case "softmax" -> { if (loss != LossKind.SOFTMAX_CE || numClasses < 2 || outputs != numClasses) problem = "softmax needs loss softmax_ce and one output per class"; }
            default -> {
                if (loss == LossKind.SOFTMAX_CE && (numClasses < 2 || outputs != numClasses)) problem = "a classifier mlp needs one output per class";
                if (loss == LossKind.MSE && numClasses != 0) problem = "a regression mlp needs numClasses 0";
                if (loss == LossKind.BCE_LOGITS) problem = "mlp uses softmax_ce or mse";
            }
        }
        if (problem != null) {
            throw new ModelFormatException(file + ": inconsistent model: " + problem + " (loss "
                    + loss.name().toLowerCase(Locale.ROOT) + ", numClasses " + numClasses + ", outputs " + outputs + ")");
        }
    }

    private static Scaler scaler(JsonNode s, int numFeatures, String file) {
        if (s == null || s.isNull()) return null;
        if (!s.isObject()) throw new ModelFormatException(file + ": 'scaler' must be null or an object");
        try {
            ScalerKind kind = ScalerKind.parse(text(s, "kind", file + " scaler"));
            return Scaler.of(kind, doubles(s, "offset", numFeatures, file), doubles(s, "scale", numFeatures, file));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": invalid scaler: " + e.getMessage());
        }
    }

    private static double[] doubles(JsonNode s, String field, int n, String file) {
        JsonNode a = s.get(field);
        JsonNode enc = s.get("encoding");
        if (enc != null) {
            if (!COMPACT_ENCODING.equals(enc.asText()) || a == null || !a.isTextual()) {
                throw new ModelFormatException(file + ": scaler.encoding must be '" + COMPACT_ENCODING
                        + "' with scaler." + field + " a string, got " + enc + " / " + (a == null ? null : a.getNodeType()));
            }
            double[] out = CompactDoubles.decode(a.asText(), n, file + ": scaler." + field);
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(out[i])) throw new ModelFormatException(file + ": scaler." + field + "[" + i + "] is not finite");
            }
            return out;
        }
        if (a == null || !a.isArray() || a.size() != n) {
            throw new ModelFormatException(file + ": scaler." + field + " must be an array of numFeatures (" + n + ") numbers");
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            if (!a.get(i).isNumber() || !Double.isFinite(a.get(i).asDouble())) {
                throw new ModelFormatException(file + ": scaler." + field + "[" + i + "] is not a finite number");
            }
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    private static int integer(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new ModelFormatException(where + ": '" + field + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) {
            throw new ModelFormatException(where + ": '" + field + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new ModelFormatException(where + ": '" + field + "' must be a string, got " + v);
        }
        return v.asText();
    }

    private static <E extends Enum<E>> E enumField(JsonNode node, String field, Class<E> type, String where) {
        String raw = text(node, field, where);
        try {
            return Enum.valueOf(type, raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": '" + field + "' = '" + raw + "' is not one of "
                    + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
    }
}
