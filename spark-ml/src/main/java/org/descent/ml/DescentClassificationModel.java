package org.descent.ml;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.descent.job.model.ModelMetadata;

/**
 * A fitted {@link DescentClassifier}: appends {@code rawPrediction} (vector), {@code probability}
 * (vector) and {@code prediction} (double class index, with nominal ML metadata), so Spark's
 * {@code MulticlassClassificationEvaluator} and {@code BinaryClassificationEvaluator} work unchanged.
 * See {@link Scoring} for the exact values.
 */
public final class DescentClassificationModel extends DescentModel<DescentClassificationModel> {
    private final Param<String> rawPredictionCol;
    private final Param<String> probabilityCol;

    public DescentClassificationModel(String uid, ModelMetadata metadata, double[] params) {
        super(uid, metadata, params);
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "raw prediction (log-probability) column (empty = none)");
        probabilityCol = new Param<>(this, "probabilityCol", "class probability column (empty = none)");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(probabilityCol, "probability");
    }

    public Param<String> rawPredictionCol() { return rawPredictionCol; }

    public Param<String> probabilityCol() { return probabilityCol; }

    public DescentClassificationModel setRawPredictionCol(String v) { return put(rawPredictionCol, v); }

    public DescentClassificationModel setProbabilityCol(String v) { return put(probabilityCol, v); }

    public int numClasses() {
        return architecture().numClasses();
    }

    @Override
    List<StructField> outputFields() {
        return fields(this, $(rawPredictionCol), $(probabilityCol), getPredictionCol(), numClasses());
    }

    /** The output fields for these names (empty names left out); shared with the estimator's schema check. */
    static List<StructField> fields(org.apache.spark.ml.param.Params owner, String raw, String prob, String pred,
                                    int numClasses) {
        List<StructField> f = new ArrayList<>();
        if (!raw.isEmpty()) f.add(DataTypes.createStructField(raw, new VectorUDT(), false));
        if (!prob.isEmpty()) f.add(DataTypes.createStructField(prob, new VectorUDT(), false));
        if (!pred.isEmpty()) {
            NominalAttribute a = NominalAttribute.defaultAttr().withName(pred);
            f.add(numClasses > 0 ? a.withNumValues(numClasses).toStructField() : a.toStructField());
        }
        return f;
    }

    @Override
    Scoring.Outputs outputs() {
        return new Scoring.Outputs(!$(rawPredictionCol).isEmpty(), !$(probabilityCol).isEmpty(),
                !getPredictionCol().isEmpty());
    }

    @Override
    public DescentClassificationModel copy(ParamMap extra) {
        return copyWith(new DescentClassificationModel(uid(), metadata(), flatParams()), extra);
    }

    public static MLReader<DescentClassificationModel> read() {
        return new ModelReader<>(DescentClassificationModel.class, true, DescentClassificationModel::new);
    }

    /** Loads a model saved by {@link #save} or a model directory written by {@code descent train}. */
    public static DescentClassificationModel load(String path) {
        return read().load(path);
    }
}
