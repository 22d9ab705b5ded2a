package org.descent.job.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.train.EpochReport;
import org.descent.job.train.TrainingState;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.scale.Scaler;

/**
 * A checkpoint directory holds two files:
 * <pre>
 * state.bin   (DataOutputStream: big-endian, doubles as raw IEEE-754 bits, UTF = modified UTF-8)
 *   8 bytes  magic "DSCNTCKP"
 *   int      format version: 3 (dense) or 4 (conv/recurrent stack); 1 and 2 (earlier builds: epoch reports
 *            without times and metrics) are still read
 *   int      epoch, int step          the cursor (next step to run)
 *   int      stepsPerEpoch, int epochs
 *   long     globalStepsDone, long trainRows
 *   double   lossWeighted, long rowsSeen   the partial epoch's running sums
 *   UTF      modelType, UTF loss, int numFeatures, int numClasses,
 *   int      L, then L x (int in, int out, UTF activation, double leakySlope)
 *   UTF      (formats 2 and 4) the layer stack as JSON: inputShape and typed layers
 *   int      n, n doubles                 parameters
 *   int      k, k bytes                   Optimizer.saveState()
 *   int      s, s bytes                   Scaler.toBytes() (s = 0: no scaling)
 *   int      r, r x (int epoch, int epochs, double trainLoss, double validationLoss, double validationMetric,
 *                    UTF metricName, double seconds, double rowsPerSecond, double lastLearningRate,
 *                    double lastGradNorm, then (formats 3, 4) double trainSeconds, double validationSeconds,
 *                    long finishedAt seconds, int nanos, double elapsedSeconds,
 *                    int m, m x (UTF key, double value) metrics)   completed epochs
 *   UTF      configHash (64 hex)
 *   int      c, c bytes (UTF-8)          canonical config text (ConfigHash#canonical)
 *   (end of file: trailing bytes are an error)
 * meta.json   {"formatVersion":3 or 4, "epoch", "step", "stepsPerEpoch", "epochs", "globalStepsDone",
 *              "configHash", "stateBytes": size of state.bin, "stateSha256": SHA-256 of state.bin (hex),
 *              "createdAt": ISO-8601 UTC}
 * </pre>
 * A checkpoint is valid when meta.json parses, state.bin has exactly stateBytes bytes and that SHA-256,
 * and state.bin parses with the same cursor and hash as meta.json.
 */
public final class CheckpointCodec {
    static final byte[] MAGIC = "DSCNTCKP".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 3;
    /** Format 4: format 3 plus, after the layer summaries, the layer stack as JSON (conv/recurrent models). */
    static final int STACK_VERSION = 4;
    /** Formats of earlier builds, still read: 1 (dense) and 2 (stack), whose epoch reports lack times and metrics. */
    private static final int LEGACY_VERSION = 1;
    private static final int LEGACY_STACK_VERSION = 2;

    private static String stackJson(ModelArchitecture a) {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = m.createObjectNode();
        a.inputShape().forEach(root.putArray("inputShape")::add);
        org.descent.job.model.LayerStackJson.writeAll(a.stack(), root.putArray("layers"));
        return root.toString();
    }

    private static ModelArchitecture stackArchitecture(String json, String type, LossKind loss, int numFeatures,
                                                       int numClasses, String file) {
        try {
            com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            List<Integer> shape = new ArrayList<>();
            root.get("inputShape").forEach(d -> shape.add(d.asInt()));
            return ModelArchitecture.ofStack(type, shape,
                    org.descent.job.model.LayerStackJson.readAll(root.get("layers"), file + " layers"),
                    loss, numFeatures, numClasses);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            throw bad(file, "invalid layer stack: " + e.getMessage());
        }
    }
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CheckpointCodec() {}

    public static byte[] encodeState(Checkpoint ckpt) {
        TrainingState c = ckpt.state();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024 + 8 * c.params().length
                + c.optimizerState().length);
        try {
            writeState(ckpt, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes state.bin's bytes (those of {@link #encodeState}) to {@code sink} without building them in memory: a
     * wide model's checkpoint is streamed, not copied. Does not close {@code sink}.
     */
    public static void writeState(Checkpoint ckpt, java.io.OutputStream sink) throws IOException {
        TrainingState c = ckpt.state();
        DataOutputStream out = new DataOutputStream(sink);
        out.write(MAGIC);
        // conv/recurrent stacks add their layer list (format 4)
        out.writeInt(c.architecture().hasStack() ? STACK_VERSION : VERSION);
        out.writeInt(c.epoch());
        out.writeInt(c.step());
        out.writeInt(c.stepsPerEpoch());
        out.writeInt(c.epochs());
        out.writeLong(c.globalStepsDone());
        out.writeLong(c.trainRows());
        out.writeDouble(c.lossWeighted());
        out.writeLong(c.rowsSeen());
        ModelArchitecture a = c.architecture();
        out.writeUTF(a.modelType());
        out.writeUTF(a.loss().name());
        out.writeInt(a.numFeatures());
        out.writeInt(a.numClasses());
        out.writeInt(a.layers().size());
        for (LayerSpec l : a.layers()) {
            out.writeInt(l.in());
            out.writeInt(l.out());
            out.writeUTF(l.activation().name());
            out.writeDouble(l.leakySlope());
        }
        if (a.hasStack()) {
            out.writeUTF(stackJson(a));
        }
        out.writeInt(c.params().length);
        org.descent.math.BigEndianDoubles.write(out, c.params(), 0, c.params().length);
        writeBytes(out, c.optimizerState());
        writeBytes(out, c.scaler() == null ? new byte[0] : c.scaler().toBytes());
        out.writeInt(c.completed().size());
        for (EpochReport r : c.completed()) {
            out.writeInt(r.epoch());
            out.writeInt(r.epochs());
            out.writeDouble(r.trainLoss());
            out.writeDouble(r.validationLoss());
            out.writeDouble(r.validationMetric());
            out.writeUTF(r.metricName());
            out.writeDouble(r.seconds());
            out.writeDouble(r.rowsPerSecond());
            out.writeDouble(r.lastLearningRate());
            out.writeDouble(r.lastGradNorm());
            writeReportTail(out, r);
        }
        out.writeUTF(ckpt.configHash());
        writeBytes(out, ckpt.configCanonical().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Parses state.bin; every problem is a {@link CheckpointFormatException} naming {@code file}. */
    public static Checkpoint decodeState(byte[] data, String file) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) throw bad(file, "not a descent checkpoint (magic is not DSCNTCKP)");
            int version = in.readInt();
            if (version < LEGACY_VERSION || version > STACK_VERSION) {
                throw bad(file, "checkpoint format version " + version + ", this build reads " + LEGACY_VERSION + " to "
                        + STACK_VERSION);
            }
            int epoch = in.readInt();
            int step = in.readInt();
            int stepsPerEpoch = in.readInt();
            int epochs = in.readInt();
            long global = in.readLong();
            long trainRows = in.readLong();
            double lossWeighted = in.readDouble();
            long rowsSeen = in.readLong();
            if (epoch < 0 || step < 0 || stepsPerEpoch < 1 || step > stepsPerEpoch || epochs < 1) {
                throw bad(file, "invalid cursor epoch " + epoch + " step " + step + " of " + stepsPerEpoch);
            }
            ModelArchitecture arch = readArchitecture(in, version, file);
            int n = count(in.readInt(), data.length / 8, file, "parameter count");
            double[] params = new double[n];
            org.descent.math.BigEndianDoubles.read(in, params, 0, n);
            byte[] opt = readBytes(in, data.length, file, "optimizer state");
            byte[] sc = readBytes(in, data.length, file, "scaler");
            Scaler scaler = sc.length == 0 ? null : Scaler.fromBytes(sc);
            List<EpochReport> reports = readReports(in, data.length, file, version >= VERSION);
            String hash = in.readUTF();
            String canonical = new String(readBytes(in, data.length, file, "config"), StandardCharsets.UTF_8);
            if (in.read() != -1) throw bad(file, "trailing bytes after the checkpoint");
            if (global != (long) epoch * stepsPerEpoch + step) {
                throw bad(file, "globalStepsDone " + global + " is not epoch * stepsPerEpoch + step");
            }
            return new Checkpoint(new TrainingState(arch, epoch, step, stepsPerEpoch, epochs, trainRows, lossWeighted,
                    rowsSeen, params, opt, scaler, reports), hash, canonical);
        } catch (EOFException e) {
            throw bad(file, "truncated (" + data.length + " bytes)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException e) { // unknown enum name, invalid scaler
            if (e instanceof CheckpointFormatException c) throw c;
            throw bad(file, e.getMessage());
        }
    }

    private static ModelArchitecture readArchitecture(DataInputStream in, int version, String file) throws IOException {
        String type = in.readUTF();
        LossKind loss = LossKind.valueOf(in.readUTF());
        int numFeatures = in.readInt();
        int numClasses = in.readInt();
        int nLayers = count(in.readInt(), 10_000, file, "layer count");
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < nLayers; i++) {
            layers.add(new LayerSpec(in.readInt(), in.readInt(), ActivationKind.valueOf(in.readUTF()),
                    in.readDouble()));
        }
        return version == STACK_VERSION || version == LEGACY_STACK_VERSION
                ? stackArchitecture(in.readUTF(), type, loss, numFeatures, numClasses, file)
                : new ModelArchitecture(type, layers, loss, numFeatures, numClasses);
    }

    private static List<EpochReport> readReports(DataInputStream in, int max, String file, boolean withTail)
            throws IOException {
        int nReports = count(in.readInt(), max, file, "report count");
        List<EpochReport> reports = new ArrayList<>();
        for (int i = 0; i < nReports; i++) {
            int e = in.readInt();
            int es = in.readInt();
            double tl = in.readDouble();
            double vl = in.readDouble();
            double vm = in.readDouble();
            String mn = in.readUTF();
            double secs = in.readDouble();
            double rate = in.readDouble();
            double lr = in.readDouble();
            double norm = in.readDouble();
            if (!withTail) { // an earlier build's report: no split, no metrics map beyond what the fields say
                Map<String, Double> m = new TreeMap<>(Map.of("trainLoss", tl));
                if (!Double.isNaN(vl)) m.put("validationLoss", vl);
                reports.add(new EpochReport(e, es, tl, vl, vm, mn, secs, secs, 0, rate, lr, norm, m, Instant.EPOCH,
                        Double.NaN));
                continue;
            }
            double trainSecs = in.readDouble();
            double valSecs = in.readDouble();
            Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
            double elapsed = in.readDouble();
            int nm = count(in.readInt(), max, file, "metric count");
            Map<String, Double> m = new TreeMap<>();
            for (int k = 0; k < nm; k++) m.put(in.readUTF(), in.readDouble());
            reports.add(new EpochReport(e, es, tl, vl, vm, mn, secs, trainSecs, valSecs, rate, lr, norm, m, at,
                    elapsed));
        }
        return reports;
    }

    private static void writeReportTail(DataOutputStream out, EpochReport r) throws IOException {
        out.writeDouble(r.trainSeconds());
        out.writeDouble(r.validationSeconds());
        out.writeLong(r.finishedAt().getEpochSecond());
        out.writeInt(r.finishedAt().getNano());
        out.writeDouble(r.elapsedSeconds());
        out.writeInt(r.metrics().size());
        for (Map.Entry<String, Double> m : new TreeMap<>(r.metrics()).entrySet()) {
            out.writeUTF(m.getKey());
            out.writeDouble(m.getValue());
        }
    }

    /** meta.json for a checkpoint whose state.bin is {@code state}. */
    public static byte[] encodeMeta(Checkpoint ckpt, byte[] state, Instant createdAt) {
        return encodeMeta(ckpt, state.length, ConfigHash.sha256(state), createdAt);
    }

    /** meta.json for a state.bin of {@code stateBytes} bytes whose SHA-256 (hex) is {@code stateSha256}. */
    public static byte[] encodeMeta(Checkpoint ckpt, long stateBytes, String stateSha256, Instant createdAt) {
        TrainingState c = ckpt.state();
        ObjectNode root = MAPPER.createObjectNode();
        root.put("formatVersion", c.architecture().hasStack() ? STACK_VERSION : VERSION);
        root.put("epoch", c.epoch());
        root.put("step", c.step());
        root.put("stepsPerEpoch", c.stepsPerEpoch());
        root.put("epochs", c.epochs());
        root.put("globalStepsDone", c.globalStepsDone());
        root.put("configHash", ckpt.configHash());
        root.put("stateBytes", stateBytes);
        root.put("stateSha256", stateSha256);
        root.put("createdAt", createdAt.toString());
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What meta.json promises about state.bin. */
    record Meta(int epoch, int step, String configHash, long stateBytes, String stateSha256) {}

    static Meta decodeMeta(byte[] json, String file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw bad(file, "not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw bad(file, "expected a JSON object");
        for (String f : List.of("formatVersion", "epoch", "step", "stateBytes")) {
            if (!root.hasNonNull(f) || !root.get(f).isIntegralNumber()) throw bad(file, "'" + f + "' must be an integer");
        }
        for (String f : List.of("configHash", "stateSha256")) {
            if (!root.hasNonNull(f) || !root.get(f).isTextual()) throw bad(file, "'" + f + "' must be a string");
        }
        int v = root.get("formatVersion").asInt();
        if (v < LEGACY_VERSION || v > STACK_VERSION) {
            throw bad(file, "formatVersion " + v + ", this build reads " + LEGACY_VERSION + " to " + STACK_VERSION);
        }
        return new Meta(root.get("epoch").asInt(), root.get("step").asInt(), root.get("configHash").asText(),
                root.get("stateBytes").asLong(), root.get("stateSha256").asText().toLowerCase(Locale.ROOT));
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in, int max, String file, String what) throws IOException {
        byte[] b = new byte[count(in.readInt(), max, file, what + " length")];
        in.readFully(b);
        return b;
    }

    private static int count(int n, int max, String file, String what) {
        if (n < 0 || n > max) throw bad(file, "corrupt " + what + " " + n);
        return n;
    }

    private static CheckpointFormatException bad(String file, String problem) {
        return new CheckpointFormatException(file + ": " + problem);
    }
}
