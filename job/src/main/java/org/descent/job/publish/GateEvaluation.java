package org.descent.job.publish;

import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.descent.job.data.DataException;
import org.descent.job.data.DataSpec;
import org.descent.job.model.SavedModel;
import org.descent.job.score.Scorer;
import org.descent.job.score.ScoringInput;
import org.descent.job.train.InputDataException;
import org.descent.job.train.Trainer;

/**
 * Scores a saved model on a data set for the publish gate. The data is read exactly as {@code evaluate}
 * reads it ({@link ScoringInput}: the format settings of the model's own training config with the path
 * replaced, the model's feature/class counts and width check, the model's saved scaler), then scored by the one
 * scoring path ({@link Scorer}, as validation and {@code evaluate}). Returns
 * {@code ScoreMetrics.asMap("validation")}: validationLoss,
 * validationAccuracy (classifiers), validationAuc (binary), validationRmse and validationR2 (regression),
 * validationRows.
 */
public final class GateEvaluation {
    /** Partitions the gate's data is read into (the result does not depend on it beyond rounding of the loss). */
    private static final int PARTITIONS = 4;

    private GateEvaluation() {}

    public static Map<String, Double> evaluate(SparkSession spark, SavedModel model, String dataPath, String name) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (Scorer scorer = new Scorer(jsc, model.metadata().architecture())) {
            DataSpec spec = ScoringInput.spec(model, dataPath, List.of());
            var blocks = ScoringInput.load(spark, model, spec, PARTITIONS).asLoadedData().blocks();
            return scorer.evaluate(blocks, model.params(), "descent publish: evaluate " + name).asMap("validation");
        } catch (RuntimeException e) { // includes the undeclared, checked SparkException
            throw new InputDataException("cannot evaluate " + name + " on " + dataPath + ": "
                    + DataException.findIn(e).map(Throwable::getMessage).orElseGet(() -> Trainer.rootMessage(e)), e);
        }
    }
}
