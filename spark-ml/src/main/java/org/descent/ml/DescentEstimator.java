package org.descent.ml;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.descent.job.checkpoint.TrainStart;
import org.descent.job.config.JobConfig;
import org.descent.job.model.ModelMetadata;
import org.descent.job.train.StartState;
import org.descent.job.train.Trainer;
import org.descent.job.train.TrainingResult;

/**
 * The common part of {@link DescentClassifier} and {@link DescentRegressor}: column params and
 * {@link #fit}, which trains exactly like {@code descent train}: the settings become the job's
 * {@link JobConfig} (validated by the job), the DataFrame becomes the job's blocks ({@link DatasetInput}),
 * and the job's {@link Trainer} runs with the same engines, seeds, checkpoint writer and divergence guard.
 * The model gets this estimator's uid and column params, as Spark's estimators do.
 */
public abstract class DescentEstimator<E extends DescentEstimator<E, M>, M extends DescentModel<M>>
        extends TrainingParams<E, M> implements DefaultParamsWritable {
    private static final Logger LOG = LogManager.getLogger(DescentEstimator.class);
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final BooleanParam resume;

    protected DescentEstimator(String uid, boolean classifier, List<String> context) {
        super(uid, classifier, context);
        featuresCol = new Param<>(this, "featuresCol", "features column: vector (dense or sparse) or array<double>");
        labelCol = new Param<>(this, "labelCol", classifier ? "label column: class indices 0..k-1 (e.g. from "
                + "StringIndexer)" : "label column: real values");
        predictionCol = new Param<>(this, "predictionCol", "prediction column name (empty = none)");
        resume = new BooleanParam(this, "resume", "continue from the newest valid checkpoint in checkpointDir "
                + "(like train --resume); otherwise existing checkpoints there stop the fit");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(resume, false);
    }

    public final Param<String> featuresCol() { return featuresCol; }

    public final Param<String> labelCol() { return labelCol; }

    public final Param<String> predictionCol() { return predictionCol; }

    public final BooleanParam resume() { return resume; }

    public String getFeaturesCol() { return $(featuresCol); }

    public String getLabelCol() { return $(labelCol); }

    public String getPredictionCol() { return $(predictionCol); }

    public E setFeaturesCol(String v) { return put(featuresCol, v); }

    public E setLabelCol(String v) { return put(labelCol, v); }

    public E setPredictionCol(String v) { return put(predictionCol, v); }

    public E setResume(boolean v) { return put(resume, v); }

    /** Builds the model from a training result (uid = this estimator's). */
    abstract M newModel(String uid, ModelMetadata metadata, double[] params);

    /** Output fields of the model for a schema check (class count unknown before fit: 0). */
    abstract List<StructField> outputFields();

    /** Class count from the label column's ML metadata (0 = none or regression). */
    int classesFromSchema(StructType schema) {
        return 0;
    }

    @Override
    public M fit(Dataset<?> dataset) {
        long t0 = System.nanoTime();
        transformSchema(dataset.schema(), true);
        JobConfig cfg = jobConfig();
        SparkSession spark = dataset.sparkSession();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        TrainStart.Options start = new TrainStart.Options((Boolean) $(resume), false, false, null, false);
        TrainStart.precheck(hadoop, cfg, start);
        StartState state = TrainStart.resolve(hadoop, cfg, start);
        try (DatasetInput in = DatasetInput.load(dataset, $(featuresCol), $(labelCol), cfg,
                classesFromSchema(dataset.schema()))) {
            LOG.info("{}: input ready in {} s", uid(), String.format("%.2f", (System.nanoTime() - t0) / 1e9));
            Trainer trainer = new Trainer(spark, cfg).withStartState(state)
                    .withCheckpointHook(TrainStart.hook(hadoop, cfg));
            TrainingResult r = trainer.train(in.input.train(), in.input.validation());
            ModelMetadata meta = new ModelMetadata(ModelMetadata.FORMAT_VERSION, r.architecture(), r.params().length,
                    r.scaler(), cfg.resolvedHocon(), r.finalMetrics(), Instant.now());
            M model = newModel(uid(), meta, r.params());
            LOG.info("{}: fit done in {} s", uid(), String.format("%.2f", (System.nanoTime() - t0) / 1e9));
            copyValues(model, ParamMap.empty());
            return model.setParent(this);
        }
    }

    /** Validates every setting (the job's rules, incl. those spanning keys) and the input columns. */
    @Override
    public StructType transformSchema(StructType schema) {
        jobConfig();
        FeatureColumn.of(schema, $(featuresCol));
        String label = $(labelCol);
        if (!List.of(schema.fieldNames()).contains(label)) {
            throw new IllegalArgumentException("label column '" + label + "' is not in the DataFrame: "
                    + List.of(schema.fieldNames()) + " (set labelCol)");
        }
        if (!(schema.apply(label).dataType() instanceof NumericType)) {
            throw new IllegalArgumentException("label column '" + label + "' has type "
                    + schema.apply(label).dataType().simpleString() + "; it must be numeric (index string labels "
                    + "with StringIndexer)");
        }
        List<StructField> fields = new ArrayList<>(List.of(schema.fields()));
        fields.addAll(outputFields());
        return new StructType(fields.toArray(new StructField[0]));
    }

    @SuppressWarnings("unchecked")
    protected final E copyTo(E that, ParamMap extra) {
        return (E) copyValues(that, extra);
    }
}
