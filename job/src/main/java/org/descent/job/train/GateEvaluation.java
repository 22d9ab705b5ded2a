package org.descent.job.train;

import java.util.List;
import java.util.Map;
import com.typesafe.config.ConfigUtil;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;
import org.descent.job.data.DataException;
import org.descent.job.data.DataLoader;
import org.descent.job.data.DataSpec;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.model.SavedModel;

/**
 * Scores a saved model on a data set for the publish gate: the data is read with the format settings of
 * the model's own training config ({@code data.*} from metadata.json, path replaced), packed into that
 * config's partitions, scaled with the model's saved scaler, and evaluated by {@link Evaluator}.
 * Returns {@code EvalAccumulator.asMap("validation")}: validationLoss, validationAccuracy (classifiers),
 * validationAuc (binary), validationRmse and validationR2 (regression), validationRows.
 */
public final class GateEvaluation {
    private GateEvaluation() {}

    public static Map<String, Double> evaluate(SparkSession spark, SavedModel model, String dataPath, String name) {
        JobConfig cfg = ConfigLoader.parse(model.metadata().trainingConfig(), List.of(
                "data.train-path=" + ConfigUtil.quoteString(dataPath), "data.validation-path=null",
                "training.validation-fraction=0", "output.model-path=\"unused\""));
        ModelArchitecture arch = model.metadata().architecture();
        DataSpec spec = cfg.data().trainSpec().withCounts(arch.numFeatures(), arch.numClasses());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (Evaluator evaluator = new Evaluator(jsc, arch)) {
            LoadedData data = DataLoader.load(spark, spec, cfg.training().partitions(), cfg.training().seed());
            JavaRDD<RowBlock> blocks = data.blocks();
            if (model.metadata().scaler() != null) blocks = FeatureScaling.apply(blocks, model.metadata().scaler());
            return evaluator.evaluate(blocks, model.params(), "descent publish: evaluate " + name).asMap("validation");
        } catch (RuntimeException e) { // includes the undeclared, checked SparkException
            throw new InputDataException("cannot evaluate " + name + " on " + dataPath + ": "
                    + DataException.findIn(e).map(Throwable::getMessage).orElseGet(() -> Trainer.rootMessage(e)), e);
        }
    }
}
