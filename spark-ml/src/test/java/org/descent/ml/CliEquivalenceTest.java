package org.descent.ml;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.Tokenizer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.descent.job.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same data (one Parquet file), config and seed: {@code descent train} + {@code descent evaluate} and
 * {@code fit} + Spark's evaluators give the same parameters (bit for bit) and the same metrics; the CLI's
 * model directory loads as a Spark ML model that scores identically; a sparse vector column trains on the same CSR
 * blocks as {@code train} on the file.
 */
class CliEquivalenceTest {
    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static String trainPath;
    private static String testPath;

    @BeforeAll
    static void start() {
        spark = TestData.session("CliEquivalenceTest");
        var indexer = new StringIndexer().setInputCol("species").setOutputCol("label").fit(TestData.blobs(spark, 400, 4));
        VectorAssembler va = new VectorAssembler().setInputCols(new String[] {"x0", "x1", "x2", "x3"}).setOutputCol("v");
        trainPath = writeParquet(va.transform(indexer.transform(TestData.blobs(spark, 400, 4))), "train");
        testPath = writeParquet(va.transform(indexer.transform(TestData.blobs(spark, 200, 5))), "test");
    }

    /** label, target (a linear function of the features), features as array<double>: one file, rows in id order. */
    private static String writeParquet(Dataset<Row> df, String name) {
        String p = dir.resolve(name + ".parquet").toString();
        df.orderBy("id").select(col("label"),
                        col("x0").multiply(0.5).minus(col("x2").multiply(3)).alias("target"),
                        functions.vector_to_array(col("v"), "float64").alias("features"))
                .coalesce(1).write().parquet(p);
        return p;
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static JsonNode cliTrainAndEvaluate(String name, String conf) throws Exception {
        return cliTrainAndEvaluate(name, conf, trainPath, testPath);
    }

    private static JsonNode cliTrainAndEvaluate(String name, String conf, String train, String test) throws Exception {
        Path c = dir.resolve(name + ".conf");
        Files.writeString(c, conf.replace("TRAIN", train).replace("MODEL", dir.resolve(name).toString()));
        assertEquals(0, Main.run("train", "--config", c.toString()));
        Path out = dir.resolve(name + "-metrics.json");
        assertEquals(0, Main.run("evaluate", "--model", dir.resolve(name).toString(), "--data", test,
                "--out", out.toString()));
        return new ObjectMapper().readTree(out.toFile());
    }

    private static final String COMMON = """
            data { train-path = "TRAIN", format = parquet, features-column = features, scaling = standard }
            training { epochs = 4, batch-size = 100, partitions = 2, seed = 11, exchange = broadcast-collect }
            output { model-path = "MODEL", progress = off }
            """;

    @Test
    void givenSameDataConfigAndSeed_whenClassifierFitVersusCli_thenSameParamsAndMetrics() throws Exception {
        JsonNode cli = cliTrainAndEvaluate("mlp", COMMON + """
                data { label-type = class-index, label-column = label }
                model { type = mlp, hidden-layers = [8] }
                optimizer { kind = adam, learning-rate = 0.02 }
                """);
        DescentClassificationModel m = new DescentClassifier().setScaling("standard").setEpochs(4).setBatchSize(100)
                .setNumPartitions(2).setSeed(11).setExchange("broadcast-collect").setModelType("mlp")
                .setHiddenLayers(new int[] {8}).setOptimizer("adam").setLearningRate(0.02)
                .fit(spark.read().parquet(trainPath));
        DescentClassificationModel fromCli = DescentClassificationModel.load(dir.resolve("mlp").toString());
        assertArrayEquals(fromCli.parameters(), m.parameters());
        var w0 = m.layerWeights().get(0); // Breeze view: 4 inputs x 8 hidden units, column-major from offset 0
        assertEquals(java.util.List.of(4, 8), java.util.List.of(w0.rows(), w0.cols()));
        assertEquals(m.parameters()[4 + 1], (Double) w0.apply(1, 1));
        assertEquals(3, m.layerBiases().get(1).length());

        Dataset<Row> scored = m.transform(spark.read().parquet(testPath));
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        double logLoss = new MulticlassClassificationEvaluator().setMetricName("logLoss").evaluate(scored);
        assertEquals(cli.get("accuracy").asDouble(), accuracy, 0.0);
        assertEquals(cli.get("loss").asDouble(), logLoss, 1e-12);
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);
        assertEquals(scored.select("probability", "prediction").collectAsList(),
                fromCli.transform(spark.read().parquet(testPath)).select("probability", "prediction").collectAsList());
    }

    @Test
    void givenSameDataConfigAndSeed_whenRegressorFitVersusCli_thenSameParamsAndMetrics() throws Exception {
        JsonNode cli = cliTrainAndEvaluate("linear", COMMON + """
                data { label-type = real, label-column = target }
                model { type = linear }
                optimizer { kind = sgd, learning-rate = 0.05 }
                training { batch-size = 20 }
                """);
        DescentRegressionModel m = new DescentRegressor().setScaling("standard").setEpochs(4).setBatchSize(20)
                .setNumPartitions(2).setSeed(11).setExchange("broadcast-collect").setLearningRate(0.05)
                .setLabelCol("target").fit(spark.read().parquet(trainPath));
        assertArrayEquals(DescentRegressionModel.load(dir.resolve("linear").toString()).parameters(), m.parameters());
        Dataset<Row> scored = m.transform(spark.read().parquet(testPath));
        RegressionEvaluator ev = new RegressionEvaluator().setLabelCol("target");
        assertEquals(cli.get("rmse").asDouble(), ev.setMetricName("rmse").evaluate(scored), 1e-12);
        assertEquals(cli.get("r2").asDouble(), ev.setMetricName("r2").evaluate(scored), 1e-12);
        assertTrue(cli.get("r2").asDouble() > 0.9, "r2 " + cli.get("r2"));
    }

    /** Hashed text (HashingTF, 2^12 features, about 25 non-zeros a row): label and a sparse vector column, one file. */
    private static String writeHashed(int rows, long seed, String name) {
        Dataset<Row> text = SparseTextTest.corpus(spark, rows, seed);
        Dataset<Row> words = new Tokenizer().setInputCol("text").setOutputCol("words").transform(text);
        String p = dir.resolve(name + ".parquet").toString();
        new HashingTF().setInputCol("words").setOutputCol("features").setNumFeatures(1 << 12).transform(words)
                .orderBy("id").select("label", "features").coalesce(1).write().parquet(p);
        return p;
    }

    @Test
    void givenSparseVectorColumn_whenClassifierFitVersusCli_thenSameSparseBlocksParamsAndMetrics() throws Exception {
        String train = writeHashed(600, 31, "text-train");
        String test = writeHashed(300, 32, "text-test");
        JsonNode cli = cliTrainAndEvaluate("text", """
                data { train-path = "TRAIN", format = parquet, features-column = features, scaling = max-abs }
                data { label-type = class-index, label-column = label }
                training { epochs = 3, batch-size = 50, partitions = 2, seed = 13, validation-fraction = 0.2 }
                model { type = softmax }
                optimizer { kind = adam, learning-rate = 0.05 }
                output { model-path = "MODEL", progress = off }
                """, train, test);
        DescentClassifier clf = new DescentClassifier().setScaling("max-abs").setEpochs(3).setBatchSize(50)
                .setNumPartitions(2).setSeed(13).setValidationFraction(0.2).setOptimizer("adam").setLearningRate(0.05);
        try (DatasetInput in = DatasetInput.load(spark.read().parquet(train), "features", "label", clf.jobConfig(), 0)) {
            assertEquals(org.descent.job.data.Representation.SPARSE, in.shape.resolved());
        }
        DescentClassificationModel m = clf.fit(spark.read().parquet(train));
        assertArrayEquals(DescentClassificationModel.load(dir.resolve("text").toString()).parameters(), m.parameters());
        Dataset<Row> scored = m.transform(spark.read().parquet(test));
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        assertEquals(cli.get("accuracy").asDouble(), accuracy, 0.0);
        assertEquals(cli.get("loss").asDouble(),
                new MulticlassClassificationEvaluator().setMetricName("logLoss").evaluate(scored), 1e-12);
        assertTrue(accuracy > 0.8, "accuracy " + accuracy);
    }
}
