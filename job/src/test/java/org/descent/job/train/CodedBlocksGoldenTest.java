package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.sql.SparkSession;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;
import org.descent.job.data.RowBlock;
import org.descent.job.testing.ParamHash;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pixel-like data (integers 0..255, or k / 255.0, mostly 0) end to end: the data stage caches it as coded blocks
 * (one-byte codes, {@code RowBlock#isCoded}) and two epochs of training give the parameters' bits pinned here, which
 * were taken with the blocks held as plain float64 / float32 arrays (before coded blocks): standard scaling with a
 * holdout in float64, min-max scaling with a validation file in float32, and unscaled k / 255.0 in float64.
 */
class CodedBlocksGoldenTest {
    @TempDir
    static Path dir;
    private static String train;
    private static String test;
    private static String unit;

    @BeforeAll
    static void data() throws Exception {
        TestSpark.session();
        Random rnd = new Random(11);
        train = write("train.csv", 1200, rnd, false);
        test = write("test.csv", 300, rnd, false);
        unit = write("unit.csv", 1200, rnd, true);
    }

    /** Rows of 12 pixels: class c lights features j with j % 3 == c, the others are mostly dark. */
    private static String write(String name, int rows, Random rnd, boolean unitScale) throws Exception {
        List<String> lines = new ArrayList<>(List.of("p1,p2,p3,p4,p5,p6,p7,p8,p9,p10,p11,p12,label"));
        for (int i = 0; i < rows; i++) {
            int c = rnd.nextInt(3);
            StringBuilder s = new StringBuilder();
            for (int j = 0; j < 12; j++) {
                int v = j % 3 == c ? 64 + rnd.nextInt(192) : rnd.nextInt(4) == 0 ? rnd.nextInt(96) : 0;
                s.append(unitScale ? Double.toString(v / 255.0) : Integer.toString(v)).append(',');
            }
            lines.add(s.append(c).toString());
        }
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return p.toString();
    }

    private static String params(String path, String hocon) {
        SparkSession spark = TestSpark.session();
        JobConfig cfg = ConfigLoader.parse("""
                data { train-path = "%s", format = csv, csv-header = true, label-column = "label", label-type = class-index }
                model { type = mlp, hidden-layers = [8], activation = relu }
                optimizer { kind = adam, learning-rate = 0.01 }
                training { epochs = 2, batch-size = 32, partitions = 3, seed = 9 }
                output.model-path = "unused"
                """.formatted(path) + hocon, List.of());
        DataStage.Input in = DataStage.load(spark, cfg);
        for (RowBlock b : in.train().blocks().collect()) assertTrue(b.isCoded(), "a block of " + b.rows + " rows");
        TrainingResult r = new Trainer(spark, cfg).train(in.train(), in.validation());
        return ParamHash.of(r.params()) + "/" + r.finalMetrics().get("validationAccuracy");
    }

    @Test
    void givenPixelsWithStandardScalingAndAHoldout_whenTrainedInFloat64_thenTheModelHasThePlainBlocksBits() {
        assertEquals("2e19be7fb3d9093a/1.0", params(train, "data.scaling = standard\ntraining.validation-fraction = 0.25\n"));
    }

    @Test
    void givenPixelsWithMinMaxScalingAndAValidationFile_whenTrainedInFloat32_thenTheModelHasThePlainBlocksBits() {
        assertEquals("610757d26180f538/1.0", params(train, "data { scaling = min-max, validation-path = \"" + test + "\" }\n"
                + "training.precision = float32\n"));
    }

    @Test
    void givenUnscaledUnitPixels_whenTrainedInFloat64_thenTheModelHasThePlainBlocksBits() {
        assertEquals("ee3ea3fe5bce90cc/1.0", params(unit, "training.validation-fraction = 0.25\n"));
    }
}
