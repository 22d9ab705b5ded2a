package org.descent.ml;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.descent.job.model.ModelMetadata;

/** A fitted {@link DescentRegressor}: appends {@code prediction} (double), as Spark's RegressionEvaluator expects. */
public final class DescentRegressionModel extends DescentModel<DescentRegressionModel> {
    public DescentRegressionModel(String uid, ModelMetadata metadata, double[] params) {
        super(uid, metadata, params);
    }

    @Override
    List<StructField> outputFields() {
        return fields(getPredictionCol());
    }

    static List<StructField> fields(String pred) {
        List<StructField> f = new ArrayList<>();
        if (!pred.isEmpty()) f.add(DataTypes.createStructField(pred, DataTypes.DoubleType, false));
        return f;
    }

    @Override
    Scoring.Outputs outputs() {
        return new Scoring.Outputs(false, false, !getPredictionCol().isEmpty());
    }

    @Override
    public DescentRegressionModel copy(ParamMap extra) {
        return copyWith(new DescentRegressionModel(uid(), metadata(), flatParams()), extra);
    }

    public static MLReader<DescentRegressionModel> read() {
        return new ModelReader<>(DescentRegressionModel.class, false, DescentRegressionModel::new);
    }

    /** Loads a model saved by {@link #save} or a model directory written by {@code descent train}. */
    public static DescentRegressionModel load(String path) {
        return read().load(path);
    }
}
