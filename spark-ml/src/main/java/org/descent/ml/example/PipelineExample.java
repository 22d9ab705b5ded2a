package org.descent.ml.example;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.descent.ml.DescentClassifier;

/**
 * A Spark ML Pipeline with descent, for spark-submit (docs/spark-ml.md, scripts/it-spark-ml.sh):
 * {@code PipelineExample TRAIN_CSV TEST_CSV MODEL_DIR} reads CSVs with a header ({@code label} a string
 * class name, every other column a numeric feature), fits StringIndexer + VectorAssembler + StandardScaler +
 * DescentClassifier (mlp), saves the PipelineModel to MODEL_DIR, loads it back and prints
 * {@code accuracy A} on the test set and {@code reloaded identical: true|false}. Exit 1 when they differ.
 */
public final class PipelineExample {
    private PipelineExample() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PipelineExample TRAIN_CSV TEST_CSV MODEL_DIR");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().appName("descent-pipeline-example").getOrCreate();
        Dataset<Row> train = read(spark, args[0]);
        Dataset<Row> test = read(spark, args[1]);
        String[] features = Arrays.stream(train.columns()).filter(c -> !c.equals("label")).toArray(String[]::new);

        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new StringIndexer().setInputCol("label").setOutputCol("labelIndex"),
            new VectorAssembler().setInputCols(features).setOutputCol("raw"),
            new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true),
            new DescentClassifier().setLabelCol("labelIndex").setModelType("mlp").setHiddenLayers(new int[] {16})
                    .setOptimizer("adam").setLearningRate(0.01).setEpochs(10).setBatchSize(128).setNumPartitions(2)
        });
        PipelineModel model = pipeline.fit(train);
        Dataset<Row> scored = model.transform(test);
        double accuracy = new MulticlassClassificationEvaluator().setLabelCol("labelIndex")
                .setMetricName("accuracy").evaluate(scored);
        model.write().overwrite().save(args[2]);

        PipelineModel loaded = PipelineModel.load(args[2]);
        List<Row> before = scored.select("probability", "prediction").collectAsList();
        List<Row> after = loaded.transform(test).select("probability", "prediction").collectAsList();
        boolean identical = before.equals(after);
        System.out.printf("accuracy %.4f%n", accuracy);
        System.out.println("reloaded identical: " + identical);
        spark.stop();
        if (!identical) System.exit(1);
    }

    private static Dataset<Row> read(SparkSession spark, String path) {
        return spark.read().option("header", "true").option("inferSchema", "true").csv(path);
    }
}
