package org.descent.ml;

import java.util.List;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.StructField;
import org.descent.job.model.ModelMetadata;

/**
 * descent's regression as a Spark ML estimator: linear (default) or mlp with MSE loss on real labels.
 * Every setting is a param of {@link TrainingParams}.
 */
public final class DescentRegressor extends DescentEstimator<DescentRegressor, DescentRegressionModel> {
    public DescentRegressor() {
        this(Identifiable$.MODULE$.randomUID("descentRegressor"));
    }

    public DescentRegressor(String uid) {
        super(uid, false, JobSettings.base(false));
    }

    @Override
    DescentRegressionModel newModel(String uid, ModelMetadata metadata, double[] params) {
        return new DescentRegressionModel(uid, metadata, params);
    }

    @Override
    List<StructField> outputFields() {
        return DescentRegressionModel.fields(getPredictionCol());
    }

    @Override
    public DescentRegressor copy(ParamMap extra) {
        return copyTo(new DescentRegressor(uid()), extra);
    }

    public static MLReader<DescentRegressor> read() {
        return new DefaultParamsReader<>();
    }

    public static DescentRegressor load(String path) {
        return read().load(path);
    }
}
