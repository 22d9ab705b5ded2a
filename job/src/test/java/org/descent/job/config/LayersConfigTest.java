package org.descent.job.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.layers.LayerDef;
import org.junit.jupiter.api.Test;

/** {@code model.layers} / {@code model.input-shape}: parsing, defaults, and every error naming key and fix. */
class LayersConfigTest {
    private static final String BASE = """
            data { train-path = "x.parquet", format = parquet, label-type = class-index, num-features = 784 }
            output.model-path = "m"
            model { type = mlp, activation = relu }
            """;

    private static JobConfig parse(String model, String... overrides) {
        return ConfigLoader.parse(BASE + model, List.of(overrides));
    }

    private static String error(String model, String... overrides) {
        return assertThrows(ConfigError.class, () -> parse(model, overrides)).getMessage();
    }

    @Test
    void givenACnnLayerListWhenParsedThenEveryLayerWithItsDefaults() {
        JobConfig c = parse("""
                model.input-shape = [1, 28, 28]
                model.layers = [
                  {type = conv2d, filters = 16, kernel = 5}
                  {type = max-pool, size = 2}
                  {type = conv2d, filters = 8, kernel = 3, stride = 2, padding = 1, activation = tanh}
                  {type = avg-pool, size = 2, stride = 1}
                  {type = flatten}
                  {type = dense, units = 32}
                ]
                """);
        assertEquals(List.of(1, 28, 28), c.model().inputShape());
        assertEquals(List.of(
                new LayerDef.Conv2D(16, 5, 1, 0, ActivationKind.RELU, 0.01),
                new LayerDef.Pool2D(true, 2, 2),
                new LayerDef.Conv2D(8, 3, 2, 1, ActivationKind.TANH, 0.01),
                new LayerDef.Pool2D(false, 2, 1),
                new LayerDef.Flatten(),
                new LayerDef.Dense(32, ActivationKind.RELU, 0.01)), c.model().layers());
        assertTrue(c.model().hiddenLayers().isEmpty());
    }

    @Test
    void givenRecurrentLayersWhenParsedThenReturnSequencesDefaultsToFalse() {
        JobConfig c = parse("""
                model { input-shape = [28, 28], layers = [{type = rnn, units = 8, return-sequences = true}, {type = lstm, units = 4}] }
                """);
        assertEquals(List.of(new LayerDef.Recurrent(false, 8, true), new LayerDef.Recurrent(true, 4, false)),
                c.model().layers());
    }

    @Test
    void givenTheShippedConfigsWhenParsedThenTheyAreValid() throws Exception {
        for (String f : List.of("../conf/fashion-mnist-cnn.conf", "../conf/fashion-mnist-lstm.conf")) {
            JobConfig c = ConfigLoader.load(new java.io.File(f), List.of());
            assertTrue(!c.model().layers().isEmpty(), f);
        }
    }

    @Test
    void givenALayerTooLargeForItsInputWhenParsedThenTheErrorNamesTheLayerAndBothShapes() {
        String m = error("""
                model.input-shape = [1, 28, 28]
                model.layers = [{type = conv2d, filters = 4, kernel = 5}, {type = max-pool, size = 2},
                                {type = conv2d, filters = 4, kernel = 5}, {type = max-pool, size = 2},
                                {type = conv2d, filters = 4, kernel = 5}]
                """);
        assertTrue(m.contains("config key 'model.layers'") && m.contains("layer 4 conv2d(filters=4, kernel=5")
                && m.contains("input 4x4x4") && m.contains("smaller than the kernel 5x5"), m);
    }

    @Test
    void givenAConvOnFlatFeaturesWhenParsedThenTheErrorPointsAtInputShape() {
        String m = error("model.layers = [{type = conv2d, filters = 4, kernel = 5}]");
        assertTrue(m.contains("layer 0 conv2d") && m.contains("needs a channels x height x width input, got 784")
                && m.contains("model.input-shape is 784"), m);
    }

    @Test
    void givenAnInputShapeThatDoesNotHoldTheFeaturesWhenParsedThenError() {
        String m = error("model { input-shape = [1, 28, 27], layers = [{type = flatten}] }");
        assertTrue(m.contains("model.input-shape") && m.contains("holds 756 features but data.num-features is 784"), m);
    }

    @Test
    void givenBadLayerObjectsWhenParsedThenEachErrorNamesTheElementAndTheFix() {
        assertTrue(error("model.layers = [{type = conv3d, filters = 4}]").contains("type 'conv3d' is unknown; allowed: "
                + "dense, conv2d, max-pool, avg-pool, flatten, rnn, lstm (did you mean 'conv2d'?)"));
        String m = error("model { input-shape = [1, 28, 28], layers = [{type = conv2d, filtres = 4, kernel = 3}] }");
        assertTrue(m.contains("element 0 (conv2d): unknown setting 'filtres'") && m.contains("did you mean 'filters'"), m);
        m = error("model { input-shape = [1, 28, 28], layers = [{type = conv2d, kernel = 3}] }");
        assertTrue(m.contains("element 0 (conv2d) needs 'filters'"), m);
        m = error("model { input-shape = [1, 28, 28], layers = [{type = max-pool, size = 0}] }");
        assertTrue(m.contains("pool size must be positive, got 0"), m);
        m = error("model.layers = [16, 8]");
        assertTrue(m.contains("element 0 (16) must be a layer object"), m);
        m = error("model { input-shape = [28, 28], layers = [{type = lstm, units = 4, return-sequences = yes}] }");
        assertTrue(m.contains("'return-sequences' must be true or false"), m);
        m = error("model { input-shape = [1, 28, 28], layers = [{type = dense, units = 4, activation = softmax}] }");
        assertTrue(m.contains("softmax is not a hidden-layer activation"), m);
    }

    @Test
    void givenConflictingModelKeysWhenParsedThenError() {
        assertTrue(error("model { hidden-layers = [8], layers = [{type = flatten}] }")
                .contains("set either model.hidden-layers or model.layers, not both"));
        assertTrue(error("model { type = softmax, layers = [{type = flatten}] }")
                .contains("only model.type = mlp has layers"));
        assertTrue(error("model { hidden-layers = [8], input-shape = [1, 28, 28] }")
                .contains("model.input-shape"));
    }

    @Test
    void givenConvOrRecurrentLayersWithFloat32WhenParsedThenAccepted() {
        // issue #15: conv, pooling and recurrent layers compute in float32 too (StackPass)
        JobConfig c = parse("model { input-shape = [28, 28], layers = [{type = lstm, units = 4}] }",
                "training.precision=float32");
        assertEquals(org.descent.math.nn.Precision.FLOAT32, c.training().precision());
    }
}
