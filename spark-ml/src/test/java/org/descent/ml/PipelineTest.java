package org.descent.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** descent inside Spark ML pipelines: fit, transform, evaluators, persistence, CrossValidator. */
class PipelineTest {
    private static SparkSession spark;
    private static Dataset<Row> train;
    private static Dataset<Row> test;

    @BeforeAll
    static void start() {
        spark = TestData.session("PipelineTest");
        train = TestData.blobs(spark, 600, 1).cache();
        test = TestData.blobs(spark, 300, 2).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Pipeline pipeline(DescentClassifier clf) {
        StringIndexer indexer = new StringIndexer().setInputCol("species").setOutputCol("labelIdx");
        VectorAssembler assembler = new VectorAssembler().setInputCols(new String[] {"x0", "x1", "x2", "x3"})
                .setOutputCol("raw");
        StandardScaler scaler = new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true);
        return new Pipeline().setStages(new PipelineStage[] {indexer, assembler, scaler, clf});
    }

    private static DescentClassifier mlp() {
        return new DescentClassifier().setLabelCol("labelIdx").setModelType("mlp").setHiddenLayers(new int[] {16})
                .setOptimizer("adam").setLearningRate(0.02).setEpochs(12).setBatchSize(100).setNumPartitions(2)
                .setExchange("broadcast-collect"); // one short job per step; allreduce pays a rendezvous per fit
    }

    private static double accuracy(Dataset<Row> scored) {
        return new MulticlassClassificationEvaluator().setLabelCol("labelIdx").setMetricName("accuracy").evaluate(scored);
    }

    @Test
    void givenPipelineWithDescent_whenFitSavedAndLoaded_thenLearnsAndTransformsIdentically(@TempDir Path dir)
            throws Exception {
        Pipeline pipeline = pipeline(mlp());
        PipelineModel model = pipeline.fit(train);
        Dataset<Row> scored = model.transform(test).orderBy("id");
        double acc = accuracy(scored);
        assertTrue(acc > 0.9, "held-out accuracy " + acc + " (chance 0.33)");
        assertEquals(List.of("rawPrediction", "probability", "prediction"),
                List.of(scored.columns()).subList(scored.columns().length - 3, scored.columns().length));

        model.write().overwrite().save(dir.resolve("pm").toString());
        PipelineModel loaded = PipelineModel.load(dir.resolve("pm").toString());
        Dataset<Row> again = loaded.transform(test).orderBy("id");
        List<Row> a = scored.select("id", "rawPrediction", "probability", "prediction").collectAsList();
        List<Row> b = again.select("id", "rawPrediction", "probability", "prediction").collectAsList();
        assertEquals(a, b, "transform after save/load must give identical rows");
        DescentClassificationModel m = assertInstanceOf(DescentClassificationModel.class, loaded.stages()[3]);
        assertEquals("labelIdx", m.getOrDefault(m.labelCol()));
        assertEquals(3, m.numClasses());

        pipeline.write().overwrite().save(dir.resolve("p").toString()); // the unfitted estimator too
        Pipeline p2 = Pipeline.load(dir.resolve("p").toString());
        DescentClassifier c2 = assertInstanceOf(DescentClassifier.class, p2.getStages()[3]);
        assertArrayEquals(new int[] {16}, (int[]) c2.getOrDefault(c2.hiddenLayers()));
        assertEquals(0.02, (Double) c2.getOrDefault(c2.learningRate()));
        assertEquals(c2.jobConfig().resolvedHocon(), mlp().jobConfig().resolvedHocon());
    }

    @Test
    void givenSameRowsAsDenseSparseAndArrayColumns_whenFit_thenIdenticalModels() {
        Dataset<Row> assembled = new VectorAssembler().setInputCols(new String[] {"x0", "x1", "x2", "x3"})
                .setOutputCol("dense").transform(new StringIndexer().setInputCol("species").setOutputCol("labelIdx")
                        .fit(train).transform(train));
        spark.udf().register("toSparse", (Vector v) -> v.toSparse(), new org.apache.spark.ml.linalg.VectorUDT());
        Dataset<Row> all = assembled.withColumn("sparse", org.apache.spark.sql.functions.callUDF("toSparse",
                        assembled.col("dense")))
                .withColumn("array", org.apache.spark.ml.functions.vector_to_array(assembled.col("dense"), "float64"));
        DescentClassifier base = new DescentClassifier().setLabelCol("labelIdx").setScaling("standard")
                .setEpochs(3).setNumPartitions(2).setExchange("broadcast-collect");
        double[] dense = base.copy(ParamMap.empty()).setFeaturesCol("dense").fit(all).parameters();
        double[] sparse = base.copy(ParamMap.empty()).setFeaturesCol("sparse").fit(all).parameters();
        double[] array = base.copy(ParamMap.empty()).setFeaturesCol("array").fit(all).parameters();
        assertArrayEquals(dense, sparse);
        assertArrayEquals(dense, array);
    }

    @Test
    void givenLearningRateByHiddenLayersGrid_whenCrossValidated_thenPicksTheModelThatLearns() {
        // The feature stages once, then the grid over the classifier (a Pipeline inside CrossValidator works the
        // same way; it only refits the indexer and scaler per fold and grid point).
        PipelineModel features = new Pipeline().setStages(java.util.Arrays.copyOf(pipeline(mlp()).getStages(), 3))
                .fit(train);
        Dataset<Row> prepared = features.transform(train).cache();
        DescentClassifier clf = mlp().setEpochs(4).setOptimizer("sgd");
        var grid = new ParamGridBuilder()
                .addGrid(clf.learningRate(), new double[] {1e-6, 0.3})
                .addGrid(clf.hiddenLayers(), CollectionConverters.asScala(List.of(new int[] {4}, new int[] {16})))
                .build();
        CrossValidator cv = new CrossValidator().setEstimator(clf).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setLabelCol("labelIdx").setMetricName("accuracy"))
                .setNumFolds(2).setSeed(7);
        CrossValidatorModel cvm = cv.fit(prepared);
        double[] metrics = cvm.avgMetrics();
        assertEquals(4, metrics.length);
        int best = 0;
        for (int i = 1; i < metrics.length; i++) if (metrics[i] > metrics[best]) best = i;
        assertEquals(0.3, (Double) grid[best].apply(clf.learningRate()), "metrics " + java.util.Arrays.toString(metrics));
        DescentClassificationModel m = (DescentClassificationModel) cvm.bestModel();
        assertTrue(m.trainingConfig().replaceAll("\\s", "").contains("\"learning-rate\":0.3"), m.trainingConfig());
        assertTrue(accuracy(m.transform(features.transform(test))) > 0.85);
    }
}
