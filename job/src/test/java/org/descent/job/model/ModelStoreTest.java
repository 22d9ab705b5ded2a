package org.descent.job.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.descent.math.Matrix;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    private static ModelArchitecture mlp() {
        return new ModelArchitecture("mlp", List.of(
                new LayerSpec(3, 4, ActivationKind.TANH, 0.01),
                new LayerSpec(4, 3, ActivationKind.IDENTITY, 0.01)), LossKind.SOFTMAX_CE, 3, 3);
    }

    private static ModelMetadata meta(ModelArchitecture a, int n) {
        return new ModelMetadata(1, a, n, Scaler.of(ScalerKind.STANDARD, new double[] {1, 2, 3}, new double[] {1, 0.5, 4}),
                "model.type = mlp", Map.of("validationAccuracy", 0.9), Instant.parse("2026-01-02T03:04:05Z"));
    }

    @Test
    void givenATrainedMlp_whenSavedAndLoaded_thenSameMetadataAndSamePredictions() throws Exception {
        ModelArchitecture a = mlp();
        Network net = a.toNetwork();
        double[] params = net.initParams(InitKind.XAVIER_NORMAL, 3);
        String target = dir.resolve("runs/model").toString();
        ModelStore.save(CONF, target, false, meta(a, params.length), params);
        SavedModel loaded = ModelStore.load(CONF, target);
        assertArrayEquals(params, loaded.params());
        assertEquals(a, loaded.metadata().architecture());
        assertArrayEquals(new double[] {1, 0.5, 4}, loaded.metadata().scaler().scales());
        assertEquals(0.9, loaded.metadata().metrics().get("validationAccuracy"));
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), loaded.metadata().createdAt());
        double[] x = {0.1, -2, 3, 0.4, 0.5, -0.6};
        Matrix p1 = net.predict(params, Matrix.wrap(2, 3, x), net.newWorkspace(2));
        double[] first = java.util.Arrays.copyOf(p1.data(), 6);
        Network net2 = loaded.network();
        Matrix p2 = net2.predict(loaded.params(), Matrix.wrap(2, 3, x), net2.newWorkspace(2));
        assertArrayEquals(first, java.util.Arrays.copyOf(p2.data(), 6));
        try (var files = Files.list(dir.resolve("runs"))) {
            assertEquals(List.of("model"), files.map(f -> f.getFileName().toString()).filter(f -> !f.startsWith(".") || f.contains("tmp")).toList());
        }
    }

    @Test
    void givenAnExistingModel_whenSavingWithoutOverwrite_thenErrorAndOldModelIntact_andWithOverwriteReplaced() throws Exception {
        ModelArchitecture a = mlp();
        double[] p1 = a.toNetwork().initParams(InitKind.XAVIER_NORMAL, 1);
        double[] p2 = a.toNetwork().initParams(InitKind.XAVIER_NORMAL, 2);
        String target = dir.resolve("m").toString();
        ModelStore.save(CONF, target, false, meta(a, p1.length), p1);
        var e = assertThrows(ModelStore.ModelOutputExistsException.class,
                () -> ModelStore.save(CONF, target, false, meta(a, p2.length), p2));
        assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("output.overwrite"), e.getMessage());
        assertArrayEquals(p1, ModelStore.load(CONF, target).params());
        ModelStore.save(CONF, target, true, meta(a, p2.length), p2);
        assertArrayEquals(p2, ModelStore.load(CONF, target).params());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("m"), files.map(f -> f.getFileName().toString()).toList(),
                    "no temp or old directories left, no .crc sidecar");
        }
        try (var files = Files.list(dir.resolve("m"))) {
            assertEquals(List.of("metadata.json", "params.bin"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void givenACorruptedParamsFile_whenLoading_thenCrcErrorNamingTheFile() throws Exception {
        ModelArchitecture a = mlp();
        double[] p = a.toNetwork().initParams(InitKind.XAVIER_NORMAL, 1);
        Path target = dir.resolve("m");
        ModelStore.save(CONF, target.toString(), false, meta(a, p.length), p);
        Path bin = target.resolve("params.bin");
        assertFalse(Files.exists(target.resolve(".params.bin.crc")), "written without a checksum sidecar");
        byte[] bytes = Files.readAllBytes(bin);
        bytes[40] ^= 0x10;
        Files.write(bin, bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(CONF, target.toString()));
        assertTrue(e.getMessage().contains("params.bin") && e.getMessage().contains("CRC32 mismatch"), e.getMessage());
        // a model written by an older descent, with a (now stale) Hadoop .crc sidecar: still descent's one message
        Files.write(target.resolve(".params.bin.crc"), new byte[] {'c', 'r', 'c', 0, 0, 0, 2, 0, 1, 2, 3, 4});
        ModelFormatException old = assertThrows(ModelFormatException.class, () -> ModelStore.load(CONF, target.toString()));
        assertTrue(old.getMessage().contains("CRC32 mismatch") && !old.getMessage().contains("Checksum error"), old.getMessage());
    }

    @Test
    void givenBadParamsBytes_whenDecoding_thenEachProblemIsNamed() {
        byte[] ok = ParamsCodec.encode(new double[] {1.5, -2});
        assertEquals(20 + 16, ok.length);
        assertArrayEquals(new double[] {1.5, -2}, ParamsCodec.decode(ok, "f"));
        byte[] magic = ok.clone();
        magic[0] = 'X';
        assertTrue(assertThrows(ModelFormatException.class, () -> ParamsCodec.decode(magic, "f")).getMessage().contains("magic"));
        byte[] version = ok.clone();
        version[11] = 9;
        assertTrue(assertThrows(ModelFormatException.class, () -> ParamsCodec.decode(version, "f")).getMessage().contains("version 9"));
        byte[] truncated = java.util.Arrays.copyOf(ok, ok.length - 3);
        assertTrue(assertThrows(ModelFormatException.class, () -> ParamsCodec.decode(truncated, "f")).getMessage().contains("bytes"));
    }

    @Test
    void givenInconsistentMetadata_whenReading_thenFieldIsNamed() {
        ModelArchitecture a = mlp();
        String json = MetadataJson.write(meta(a, 31));
        assertEquals(a, MetadataJson.read(json, "m.json").architecture());
        assertTrue(bad(json.replace("\"formatVersion\" : 1", "\"formatVersion\" : 9")).contains("formatVersion 9 is not supported"));
        // format 2 is the typed-layer format: a dense layer list without inputShape is rejected, naming the field
        assertTrue(bad(json.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2")).contains("'inputShape' must be an array"));
        assertTrue(bad(json.replace("\"numParams\" : 31", "\"numParams\" : 30")).contains("numParams is 30 but the layers need 31"));
        assertTrue(bad(json.replaceFirst("\"out\" : 4", "\"out\" : 5")).contains("layers[1]: takes 4 inputs but layers[0] gives 5"));
        assertTrue(bad(json.replace("\"tanh\"", "\"swish\"")).contains("'activation' = 'swish'"));
        assertTrue(bad(json.replace("\"numClasses\" : 3", "\"numClasses\" : 4")).contains("one output per class"));
        assertTrue(bad("{not json").contains("not valid JSON"));
    }

    @Test
    void givenAMissingDirectoryOrFile_whenLoading_thenClearError(@TempDir Path other) throws Exception {
        assertTrue(assertThrows(ModelFormatException.class, () -> ModelStore.load(CONF, other.resolve("nope").toString()))
                .getMessage().contains("does not exist"));
        Files.createDirectories(other.resolve("half"));
        Files.writeString(other.resolve("half/metadata.json"), MetadataJson.write(meta(mlp(), 31)), StandardCharsets.UTF_8);
        assertTrue(assertThrows(ModelFormatException.class, () -> ModelStore.load(CONF, other.resolve("half").toString()))
                .getMessage().contains("params.bin is missing"));
        assertFalse(Files.exists(other.resolve("half/params.bin")));
    }

    private static String bad(String json) {
        return assertThrows(ModelFormatException.class, () -> MetadataJson.read(json, "m.json")).getMessage();
    }
}
