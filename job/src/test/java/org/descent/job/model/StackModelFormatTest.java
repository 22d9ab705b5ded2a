package org.descent.job.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.descent.job.checkpoint.Checkpoint;
import org.descent.job.checkpoint.CheckpointCodec;
import org.descent.math.Matrix;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.nn.layers.LayerDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models with conv/recurrent layers: metadata format 2, checkpoints format 2, dense models unchanged. */
class StackModelFormatTest {
    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    static ModelArchitecture cnn() {
        return ModelArchitecture.ofStack("mlp", List.of(1, 6, 6), List.of(
                new LayerDef.Conv2D(3, 3, 1, 1, ActivationKind.RELU, 0.01),
                new LayerDef.Pool2D(true, 2, 2),
                new LayerDef.Flatten(),
                new LayerDef.Dense(3, ActivationKind.IDENTITY, 0.01)), LossKind.SOFTMAX_CE, 36, 3);
    }

    static ModelArchitecture lstm() {
        return ModelArchitecture.ofStack("mlp", List.of(4, 3), List.of(
                new LayerDef.Recurrent(true, 5, false),
                new LayerDef.Dense(1, ActivationKind.IDENTITY, 0.01)), LossKind.MSE, 12, 0);
    }

    private static ModelMetadata meta(ModelArchitecture a, int n) {
        return new ModelMetadata(ModelMetadata.FORMAT_VERSION, a, n, null, "model.type = mlp",
                Map.of("validationAccuracy", 0.5), Instant.parse("2026-01-02T03:04:05Z"));
    }

    @Test
    void givenACnnWhenSavedAndLoadedThenFormat2SameArchitectureAndSamePredictions() throws Exception {
        for (ModelArchitecture a : List.of(cnn(), lstm())) {
            Network net = a.toNetwork();
            assertTrue(net.isStack());
            double[] params = net.initParams(InitKind.HE_NORMAL, 3);
            String target = dir.resolve("m" + a.numFeatures()).toString();
            ModelStore.save(CONF, target, false, meta(a, params.length), params);
            String json = MetadataJson.write(meta(a, params.length));
            assertTrue(json.contains("\"formatVersion\" : 2") && json.contains("\"inputShape\""), json);
            SavedModel loaded = ModelStore.load(CONF, target);
            assertEquals(a, loaded.metadata().architecture());
            assertEquals(2, loaded.metadata().formatVersion());
            Matrix x = Matrix.normal(2, a.numFeatures(), 0, 1, new java.util.SplittableRandom(1));
            Matrix p1 = net.predict(params, x, net.newWorkspace(2)).copy();
            Network net2 = loaded.network();
            assertArrayEquals(p1.data(), net2.predict(loaded.params(), x, net2.newWorkspace(2)).data(), 0.0);
        }
    }

    @Test
    void givenADenseModelThenItIsStillWrittenAsFormat1() {
        ModelArchitecture dense = ModelArchitecture.ofStack("mlp", List.of(36), List.of(
                new LayerDef.Dense(4, ActivationKind.RELU, 0.01), new LayerDef.Dense(3, ActivationKind.IDENTITY, 0.01)),
                LossKind.SOFTMAX_CE, 36, 3);
        assertFalse(dense.hasStack());
        String json = MetadataJson.write(meta(dense, dense.toNetwork().numParams()));
        assertTrue(json.contains("\"formatVersion\" : 1") && !json.contains("inputShape"), json);
        assertEquals(dense, MetadataJson.read(json, "metadata.json").architecture());
    }

    @Test
    void givenTamperedFormat2MetadataWhenReadThenTheFieldIsNamed() {
        ModelArchitecture a = cnn();
        String json = MetadataJson.write(meta(a, a.toNetwork().numParams()));
        String m = assertThrows(ModelFormatException.class,
                () -> MetadataJson.read(json.replace("\"kernel\" : 3", "\"kernel\" : 9"), "m/metadata.json")).getMessage();
        assertTrue(m.contains("m/metadata.json") && m.contains("smaller than the kernel 9x9"), m);
        m = assertThrows(ModelFormatException.class,
                () -> MetadataJson.read(json.replace("\"type\" : \"max-pool\"", "\"type\" : \"min-pool\""), "f")).getMessage();
        assertTrue(m.contains("f layers[1]: layer type 'min-pool' is not one of"), m);
        m = assertThrows(ModelFormatException.class,
                () -> MetadataJson.read(json.replace("\"formatVersion\" : 2", "\"formatVersion\" : 3"), "f")).getMessage();
        assertTrue(m.contains("formatVersion 3 is not supported; this build reads 1 and 2"), m);
    }

    @Test
    void givenACnnCheckpointWhenEncodedAndDecodedThenTheArchitectureSurvives() {
        ModelArchitecture a = cnn();
        double[] params = a.toNetwork().initParams(InitKind.HE_NORMAL, 1);
        Checkpoint c = new Checkpoint(new org.descent.job.train.TrainingState(a, 1, 0, 10, 3, 100, 0.5, 100, params,
                new byte[0], null, List.of()), "hash", "canonical");
        Checkpoint back = CheckpointCodec.decodeState(CheckpointCodec.encodeState(c), "state.bin");
        assertEquals(a, back.state().architecture());
        assertArrayEquals(params, back.state().params());
    }
}
