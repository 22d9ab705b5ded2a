package org.descent.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.descent.job.Main;
import org.descent.job.config.ConfigError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad params fail with exactly the message {@code descent train --check --set ...} prints for the same
 * values (a config file with those keys gives the same text but names file:line as the origin): at {@code set} for settings checked on their own, at {@code fit} for rules spanning settings.
 */
class BadParamsTest {
    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static Dataset<Row> data;
    private static String emptyConf;

    @BeforeAll
    static void start() throws Exception {
        emptyConf = Files.writeString(dir.resolve("empty.conf"), "# every setting comes from --set\n").toString();
        spark = TestData.session("BadParamsTest");
        data = new org.apache.spark.ml.feature.VectorAssembler().setInputCols(new String[] {"x0", "x1"})
                .setOutputCol("features").transform(TestData.blobs(spark, 20, 3)
                        .withColumn("label", org.apache.spark.sql.functions.lit(1.0)));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** The CLI's error line for these overrides on top of the estimator's base ones, without "error: ". */
    private static String cli(boolean classifier, String... overrides) {
        List<String> args = new ArrayList<>(List.of("train", "--check", "--config", emptyConf));
        List<String> all = new ArrayList<>(JobSettings.base(classifier));
        if (classifier) all.add("model.type=\"softmax\""); // DescentClassifier's default model.type
        all.addAll(List.of(overrides));
        for (String o : all) {
            args.add("--set");
            args.add(o);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args.toArray(new String[0]));
        } finally {
            System.setErr(saved);
        }
        String err = buf.toString(StandardCharsets.UTF_8).trim();
        assertEquals(2, code, err);
        assertTrue(err.startsWith("error: "), err);
        return err.substring("error: ".length());
    }

    private static void same(String cliMessage, Executable call) {
        ConfigError e = assertThrows(ConfigError.class, call);
        assertEquals(cliMessage, e.getMessage());
    }

    @Test
    void givenOutOfRangeOrUnknownValues_whenSet_thenFailsAtOnceWithTheConfigMessage() {
        DescentClassifier c = new DescentClassifier();
        same(cli(true, "optimizer.learning-rate=-1.0"), () -> c.setLearningRate(-1.0));
        same(cli(true, "training.epochs=0"), () -> c.setEpochs(0));
        same(cli(true, "training.batch-size=0"), () -> c.setBatchSize(0));
        same(cli(true, "optimizer.kind=\"adamm\""), () -> c.setOptimizer("adamm"));
        same(cli(true, "data.scaling=\"zscore\""), () -> c.setScaling("zscore"));
        same(cli(true, "data.num-classes=1"), () -> c.setNumClasses(1));
        same(cli(false, "optimizer.momentum=1.5"), () -> new DescentRegressor().setMomentum(1.5));
        assertTrue(cli(true, "optimizer.kind=\"adamm\"").contains("optimizer.kind"));
        assertEquals(0.01, (Double) c.getOrDefault(c.learningRate()), "a failed set leaves the value unchanged");
    }

    @Test
    void givenSettingsThatConflict_whenFit_thenFailsWithTheConfigMessage() {
        same(cli(true, "model.type=\"mlp\""), () -> new DescentClassifier().setModelType("mlp").fit(data));
        same(cli(true, "model.hidden-layers=[8]"),
                () -> new DescentClassifier().setHiddenLayers(new int[] {8}).fit(data));
        same(cli(false, "model.type=\"softmax\""), () -> new DescentRegressor().setModelType("softmax").fit(data));
        same(cli(true, "training.early-stopping.enabled=true"),
                () -> new DescentClassifier().setEarlyStopping(true).fit(data));
    }

    @Test
    void givenWrongColumns_whenFit_thenNamesTheColumnAndTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DescentClassifier().setFeaturesCol("x0").fit(data));
        assertTrue(e.getMessage().contains("features column 'x0' has type double"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DescentClassifier().setLabelCol("species").fit(data));
        assertTrue(e.getMessage().contains("StringIndexer"), e.getMessage());
    }
}
