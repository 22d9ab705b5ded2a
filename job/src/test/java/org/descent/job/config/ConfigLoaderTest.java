package org.descent.job.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.descent.job.data.DataFormat;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.Precision;
import org.descent.math.optim.OptimizerKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Config parsing and validation: every bad value stops with a message naming key, value and what is allowed. */
class ConfigLoaderTest {
    private static final String BASE = """
            data { train-path = "d/train.csv", format = csv, label-type = class-index }
            model { type = mlp, hidden-layers = [16, 8], activation = relu, init = he-normal }
            optimizer { kind = momentum, learning-rate = 0.05, momentum = 0.9 }
            training { epochs = 3, batch-size = 32 }
            output.model-path = "runs/m"
            """;

    private static ConfigError fails(String... overrides) {
        return assertThrows(ConfigError.class, () -> ConfigLoader.parse(BASE, List.of(overrides)));
    }

    @Test
    void givenAValidConfigWithOverrides_whenLoading_thenTypedRecordsCarryTheValues() {
        JobConfig c = ConfigLoader.parse(BASE, List.of("training.epochs=7", "model.hidden-layers=[64,32]",
                "spark.conf.\"spark.executor.memory\"=2g"));
        assertEquals(7, c.training().epochs());
        assertEquals(List.of(64, 32), c.model().hiddenLayers());
        assertEquals(List.of(ActivationKind.RELU, ActivationKind.RELU), c.model().hiddenActivations());
        assertEquals(DataFormat.CSV, c.data().format());
        assertEquals(OptimizerKind.MOMENTUM, c.optimizer().spec().kind());
        assertEquals(0.05, c.optimizer().learningRate());
        assertEquals("2g", c.spark().conf().get("spark.executor.memory"));
        assertTrue(c.resolvedHocon().contains("hidden-layers"));
    }

    @Test
    void givenTrainingPrecision_whenLoading_thenDefaultIsFloat64AndFloat32IsParsed() {
        assertEquals(Precision.FLOAT64, ConfigLoader.parse(BASE, List.of()).training().precision());
        assertEquals(Precision.FLOAT32, ConfigLoader.parse(BASE, List.of("training.precision=float32"))
                .training().precision());
        assertEquals(Precision.FLOAT32, ConfigLoader.parse(BASE + "training.precision = FLOAT32\n", List.of())
                .training().precision());
        ConfigError e = fails("training.precision=float33");
        assertTrue(e.getMessage().contains("allowed: float64, float32 (did you mean 'float32'?)"), e.getMessage());
    }

    @Test
    void givenAnUnquotedUriOverride_whenLoading_thenItIsTakenAsTheRawString() {
        JobConfig c = ConfigLoader.parse(BASE, List.of("data.train-path=hdfs://127.0.0.1:9000/d/train.libsvm",
                "output.model-path=file:///tmp/m"));
        assertEquals("hdfs://127.0.0.1:9000/d/train.libsvm", c.data().trainPath());
        assertEquals("file:///tmp/m", c.output().modelPath());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "optimizer.learning-rate=-0.1 | optimizer.learning-rate | -0.1 | must be a finite number > 0",
        "optimizer.learning-rate=abc | optimizer.learning-rate | abc | must be a number",
        "training.epochs=0 | training.epochs | 0 | must be in [1, 1000000]",
        "training.batch-size=0 | training.batch-size | 0 | must be >= 1",
        "training.batch-size=2.5 | training.batch-size | 2.5 | whole number",
        "model.activation=relux | model.activation | relux | allowed: identity, sigmoid, tanh, relu, leaky-relu, softmax (did you mean 'relu'?)",
        "model.activations=[relu] | model.activations | [relu] | needs one activation per hidden layer (2), got 1",
        "model.activation=softmax | model.activation | softmax | softmax is not a hidden-layer activation",
        "model.type=perceptron | model.type | perceptron | allowed: linear, logistic, softmax, mlp",
        "model.hidden-layers=[16,0] | model.hidden-layers | [16,0] | element 1 (0) must be a whole number >= 1",
        "optimizer.momentum=1.0 | optimizer.momentum | 1.0 | < 1",
        "optimizer.kind=adamx | optimizer.kind | adamx | did you mean 'adam'?",
        "data.format=json | data.format | json | allowed: libsvm, csv, parquet",
        "training.validation-fraction=1 | training.validation-fraction | 1 | < 1",
        "regularization.l2=-1 | regularization.l2 | -1 | >= 0",
        "output.overwrite=maybe | output.overwrite | maybe | must be true or false",
        "data.csv-delimiter=ab | data.csv-delimiter | ab | exactly one character",
        "training.precision=float16 | training.precision | float16 | allowed: float64, float32",
    })
    void givenABadValue_whenLoading_thenTheErrorNamesKeyValueAndAllowed(String override, String key, String value,
                                                                       String allowed) {
        ConfigError e = fails(override);
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(value), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
        assertTrue(e.getMessage().contains("--set"), "names the origin: " + e.getMessage());
    }

    @Test
    void givenAMisspelledKey_whenLoading_thenUnknownKeyWithSuggestion() {
        ConfigError e = fails("training.epoch=3");
        assertEquals("unknown config key 'training.epoch' (--set training.epoch=3): did you mean 'training.epochs'?",
                e.getMessage());
        ConfigError moved = fails("training.learning-rate=0.1");
        assertTrue(moved.getMessage().contains("did you mean 'optimizer.learning-rate'?"), moved.getMessage());
        ConfigError far = fails("zzz.qqq=1");
        assertTrue(far.getMessage().startsWith("unknown config key 'zzz.qqq'"), far.getMessage());
    }

    @Test
    void givenMissingRequiredKeysOrConflicts_whenLoading_thenClearErrors() {
        assertTrue(assertThrows(ConfigError.class, () -> ConfigLoader.parse("output.model-path = x", List.of()))
                .getMessage().contains("'data.train-path' is required"));
        assertTrue(fails("output.model-path=null").getMessage().contains("'output.model-path' is required"));
        assertTrue(fails("model.type=linear").getMessage().contains("only model.type = mlp has hidden layers"));
        assertTrue(fails("model.type=softmax", "model.hidden-layers=[]", "data.label-type=real").getMessage()
                .contains("needs data.label-type = class-index"));
        assertTrue(fails("data.validation-path=v.csv", "training.validation-fraction=0.2").getMessage()
                .contains("set either data.validation-path or training.validation-fraction"));
        assertTrue(fails("schedule.kind=cosine", "schedule.total-steps=10", "schedule.warmup-steps=10").getMessage()
                .contains("'schedule.warmup-steps'"));
        assertTrue(fails("--nonsense").getMessage().contains("--set expects key=value"));
    }

    @Test
    void givenAFileWithAnIncludeAndASyntaxError_whenLoading_thenIncludeWorksAndSyntaxIsReported(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("common.conf"), BASE);
        java.nio.file.Files.writeString(dir.resolve("job.conf"), "include \"common.conf\"\ntraining.epochs = 9\n");
        assertEquals(9, ConfigLoader.load(dir.resolve("job.conf").toFile(), List.of()).training().epochs());
        java.nio.file.Files.writeString(dir.resolve("bad.conf"), "training { epochs = 3\n");
        ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(dir.resolve("bad.conf").toFile(), List.of()));
        assertTrue(e.getMessage().startsWith("cannot parse config file"), e.getMessage());
        ConfigError missing = assertThrows(ConfigError.class, () -> ConfigLoader.load(dir.resolve("nope.conf").toFile(), List.of()));
        assertTrue(missing.getMessage().startsWith("config file not found"), missing.getMessage());
    }
}
