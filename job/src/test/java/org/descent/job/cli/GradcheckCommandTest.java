package org.descent.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gradcheck on the configured model and data: per-segment lines, pass at 1e-5, fail (exit 5) at an impossible bar. */
class GradcheckCommandTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    @Test
    void givenAnMlpConfig_whenGradchecking_thenEverySegmentIsWithinTheThresholdAndExit0() throws Exception {
        Path data = CliRunner.csv(dir.resolve("d.csv"), "blobs", 60, 4, 3, 3, 1);
        Path conf = CliRunner.config(dir, "m", data, "mlp", 1, """
                model { hidden-layers = [6, 5], activations = [tanh, sigmoid], init = xavier-normal }
                regularization.l2 = 0.01
                data.scaling = standard
                """);
        CliRunner.Result r = CliRunner.run("gradcheck", "--config", conf.toString(), "--rows", "12");
        assertEquals(ExitCodes.OK, r.code(), r.all());
        // 3 layers x (weights, bias) = 6 segments, all checked: 4*6 + 6 + 6*5 + 5 + 5*3 + 3 = 83 parameters
        assertEquals(6, CliRunner_count(r.out(), "\nok "), r.out());
        assertTrue(r.out().contains("83 parameters, batch of 12 rows") && r.out().contains("PASSED"), r.out());
        assertTrue(!r.out().contains("float32"), "no precision note at float64: " + r.out());
    }

    @Test
    void givenASampledCheckAndAnImpossibleThreshold_whenGradchecking_thenExit5AndFailedLines() throws Exception {
        Path data = CliRunner.csv(dir.resolve("d.csv"), "blobs", 60, 4, 3, 3, 1);
        Path conf = CliRunner.config(dir, "m", data, "softmax", 1, "training.precision = float32\n");
        CliRunner.Result r = CliRunner.run("gradcheck", "--config", conf.toString(), "--max-per-layer", "3",
                "--threshold", "1e-300");
        assertEquals(ExitCodes.GRADCHECK, r.code(), r.all());
        assertEquals(1, CliRunner_count(r.out(), "training.precision = float32: this check runs in float64"), r.out());
        assertTrue(r.out().contains("checked      3/12") && r.out().contains("checked      3/3"), r.out());
        assertTrue(r.out().contains("FAILED: worst relative error"), r.out());
    }

    @Test
    void givenABadOption_whenGradchecking_thenExit2() throws Exception {
        Path data = CliRunner.csv(dir.resolve("d.csv"), "blobs", 60, 4, 3, 3, 1);
        Path conf = CliRunner.config(dir, "m", data, "softmax", 1, "");
        CliRunner.Result r = CliRunner.run("gradcheck", "--config", conf.toString(), "--rows", "0");
        assertEquals(ExitCodes.USAGE, r.code(), r.all());
        assertTrue(r.err().contains("--rows must be at least 1"), r.err());
    }

    private static int CliRunner_count(String s, String needle) {
        return ScoringCommandsTest.count("\n" + s, needle);
    }
}
