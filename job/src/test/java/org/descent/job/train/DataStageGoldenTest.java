package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.sql.SparkSession;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;
import org.descent.job.testing.ParamHash;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole data stage (read, scaling fit, storage width, caching) and two epochs of training from a CSV file, with
 * their final parameters' bits pinned: standard scaling with a seeded holdout in float64, and a separate validation
 * file with min-max scaling in float32. The hashes were taken before issue 17's one-pass data stage; the same seed
 * and partition count must keep giving the same model. About 5 s.
 */
class DataStageGoldenTest {
    @TempDir
    static Path dir;
    private static String train;
    private static String test;

    @BeforeAll
    static void data() throws Exception {
        TestSpark.session();
        Random rnd = new Random(3);
        train = write("train.csv", 1500, rnd);
        test = write("test.csv", 300, rnd);
    }

    private static String write(String name, int rows, Random rnd) throws Exception {
        List<String> lines = new ArrayList<>(List.of("f1,f2,f3,f4,label"));
        for (int i = 0; i < rows; i++) {
            int c = rnd.nextInt(3);
            lines.add((3 * c + rnd.nextGaussian()) + "," + (100 + 10 * rnd.nextGaussian()) + "," + (c - rnd.nextDouble())
                    + "," + (rnd.nextInt(7) - 3) + "," + c);
        }
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return p.toString();
    }

    private static String params(String hocon) {
        SparkSession spark = TestSpark.session();
        JobConfig cfg = ConfigLoader.parse("""
                data { train-path = "%s", format = csv, csv-header = true, label-column = "label", label-type = class-index }
                model { type = mlp, hidden-layers = [8], activation = relu }
                optimizer { kind = adam, learning-rate = 0.01 }
                training { epochs = 2, batch-size = 32, partitions = 3, seed = 9 }
                output.model-path = "unused"
                """.formatted(train) + hocon, List.of());
        DataStage.Input in = DataStage.load(spark, cfg);
        TrainingResult r = new Trainer(spark, cfg).train(in.train(), in.validation());
        return ParamHash.of(r.params()) + "/" + r.finalMetrics().get("validationAccuracy");
    }

    @Test
    void givenStandardScalingAndAHoldout_whenTrainedInFloat64_thenTheModelKeepsItsBits() {
        assertEquals("7d7cc543c86db404/0.9367816091954023", params("data.scaling = standard\ntraining.validation-fraction = 0.25\n"));
    }

    @Test
    void givenMinMaxScalingAndAValidationFile_whenTrainedInFloat32_thenTheModelKeepsItsBits() {
        assertEquals("d6251719d49f47fa/0.93", params("data { scaling = min-max, validation-path = \"" + test + "\" }\n"
                + "training.precision = float32\n"));
    }

    @Test
    void givenCountsFixedByTheConfig_whenBothFilesAreReadAtOnce_thenTheSameModelAsReadOneAfterTheOther() {
        assertEquals("d6251719d49f47fa/0.93", params("data { scaling = min-max, validation-path = \"" + test + "\","
                + " num-features = 4, num-classes = 3 }\ntraining.precision = float32\n"));
    }
}
