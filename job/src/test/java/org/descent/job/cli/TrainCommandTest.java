package org.descent.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.descent.job.Main;
import org.descent.job.model.ModelStore;
import org.descent.job.model.SavedModel;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end on the shipped example data: exit codes, messages, and no model after a failure. */
class TrainCommandTest {
    private static final Path CONF = Path.of("..", "conf").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    /** Runs Main with stderr captured; returns {exit code, stderr}. */
    private static Object[] run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Object[] {code, buf.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    private String[] logistic(String... extra) {
        String[] base = {"train", "--config", CONF.resolve("logistic-regression-example.conf").toString(),
                "--set", "data.train-path=\"" + CONF.resolve("examples/logistic-regression.libsvm") + "\"",
                "--set", "output.model-path=\"" + dir.resolve("model") + "\""};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void givenTheLogisticExample_whenTrainingViaCli_thenExit0AndALoadableAccurateModel() {
        Object[] r = run(logistic("--set", "training.epochs=8"));
        assertEquals(ExitCodes.OK, r[0], (String) r[1]);
        SavedModel m = ModelStore.load(new Configuration(), dir.resolve("model").toString());
        assertEquals("logistic", m.metadata().architecture().modelType());
        assertEquals(10, m.metadata().architecture().numFeatures());
        assertTrue(m.metadata().metrics().get("validationAccuracy") > 0.9, m.metadata().metrics().toString());
        assertTrue(m.metadata().trainingConfig().contains("logistic"));

        Object[] again = run(logistic("--set", "training.epochs=1"));
        assertEquals(ExitCodes.USAGE, again[0]);
        assertTrue(((String) again[1]).contains("already exists"), (String) again[1]);
    }

    @Test
    void givenTheLinearExample_whenTrainingViaCli_thenRmseNearTheNoiseLevel() {
        Object[] r = run("train", "--config", CONF.resolve("linear-regression-example.conf").toString(),
                "--set", "data.train-path=\"" + CONF.resolve("examples/linear-regression.csv") + "\"",
                "--set", "output.model-path=\"" + dir.resolve("lin") + "\"", "--set", "training.epochs=15");
        assertEquals(ExitCodes.OK, r[0], (String) r[1]);
        SavedModel m = ModelStore.load(new Configuration(), dir.resolve("lin").toString());
        assertTrue(m.metadata().metrics().get("validationRmse") < 0.6, m.metadata().metrics().toString());
        assertEquals("standard", m.metadata().scaler().kind().configName());
    }

    @Test
    void givenBadConfigs_whenTraining_thenExit2WithTheMessageAndNoModelDirectory() {
        Object[] lr = run(logistic("--set", "optimizer.learning-rate=-1"));
        assertEquals(ExitCodes.USAGE, lr[0]);
        assertTrue(((String) lr[1]).contains("config key 'optimizer.learning-rate' = -1"), (String) lr[1]);
        Object[] key = run(logistic("--set", "training.epoks=2"));
        assertEquals(ExitCodes.USAGE, key[0]);
        assertTrue(((String) key[1]).contains("did you mean 'training.epochs'?"), (String) key[1]);
        Object[] opt = run("train", "--bogus");
        assertEquals(ExitCodes.USAGE, opt[0]);
        assertFalse(Files.exists(dir.resolve("model")));
    }

    @Test
    void givenMissingData_whenTraining_thenExit3AndNoModelDirectory() {
        Object[] r = run(logistic("--set", "data.train-path=\"" + dir.resolve("nope.libsvm") + "\""));
        assertEquals(ExitCodes.DATA, r[0], (String) r[1]);
        assertTrue(((String) r[1]).startsWith("data error:") && ((String) r[1]).contains("nope.libsvm"), (String) r[1]);
        assertFalse(Files.exists(dir.resolve("model")));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"allreduce", "broadcast-collect"})
    void givenAHugeLearningRate_whenTraining_thenExit4NamingEpochStepAndNoModelDirectory(String exchange) {
        Object[] r = run("train", "--config", CONF.resolve("linear-regression-example.conf").toString(),
                "--set", "training.exchange=" + exchange,
                "--set", "data.train-path=\"" + CONF.resolve("examples/linear-regression.csv") + "\"",
                "--set", "output.model-path=\"" + dir.resolve("model") + "\"", "--set", "data.scaling=none",
                "--set", "optimizer.learning-rate=1e6", "--set", "schedule.kind=constant");
        assertEquals(ExitCodes.TRAINING, r[0], (String) r[1]);
        String err = (String) r[1];
        assertTrue(err.matches("(?s).*training diverged at epoch \\d+/30 step \\d+/20: .*learning rate 1.00000e\\+06.*"), err);
        assertTrue(err.contains("lower optimizer.learning-rate") && err.contains("clipping.max-norm"), err);
        assertFalse(Files.exists(dir.resolve("model")));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("model.run"), files.map(p -> p.getFileName().toString()).toList(),
                    "only the run directory: no model, no temp directories");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
