package org.descent.ml;

import breeze.linalg.DenseMatrix;
import breeze.linalg.DenseVector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.model.ModelMetadata;
import org.descent.math.BreezeInterop;

/**
 * A trained descent network as a Spark ML {@link Model}: the model directory's metadata (architecture,
 * feature scaler, the resolved training config, final metrics) and the flat parameter array. {@link
 * #transform} scores the features column in chunks of rows with the job's forward pass (float64, the
 * saved scaling first) and appends the output columns of the subclass; an empty column name drops that
 * column. Saved the Spark ML way ({@link #write}): {@code metadata/} (params) plus {@code descent/} (the
 * job's model directory); a directory written by {@code descent train} loads as well ({@link ModelReader}).
 */
public abstract class DescentModel<M extends DescentModel<M>> extends Model<M> implements MLWritable {
    private final String uid;
    private final ModelMetadata metadata;
    private final double[] params;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;

    protected DescentModel(String uid, ModelMetadata metadata, double[] params) {
        this.uid = uid;
        this.metadata = metadata;
        this.params = params;
        featuresCol = new Param<>(this, "featuresCol", "features column: vector or array<double>");
        labelCol = new Param<>(this, "labelCol", "label column (kept from the estimator; not used by transform)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column name (empty = none)");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
    }

    @Override
    public String uid() {
        return uid;
    }

    public final Param<String> featuresCol() { return featuresCol; }

    public final Param<String> labelCol() { return labelCol; }

    public final Param<String> predictionCol() { return predictionCol; }

    public String getFeaturesCol() { return $(featuresCol); }

    public String getPredictionCol() { return $(predictionCol); }

    public M setFeaturesCol(String v) { return put(featuresCol, v); }

    public M setLabelCol(String v) { return put(labelCol, v); }

    public M setPredictionCol(String v) { return put(predictionCol, v); }

    @SuppressWarnings("unchecked")
    protected final M put(Param<String> p, String value) {
        set(p, value);
        return (M) this;
    }

    /** The network: layers, loss, feature and class counts. */
    public ModelArchitecture architecture() {
        return metadata.architecture();
    }

    public int numFeatures() {
        return metadata.architecture().numFeatures();
    }

    /** The resolved HOCON the model was trained with (also for models trained by the CLI). */
    public String trainingConfig() {
        return metadata.trainingConfig();
    }

    /** The final training/validation figures (trainLoss, validationAccuracy, epochs, ...). */
    public Map<String, Double> trainingMetrics() {
        return metadata.metrics();
    }

    /** A copy of the flat parameter array (layer by layer: W column-major, then b). */
    public double[] parameters() {
        return params.clone();
    }

    /**
     * Each layer's weights as a Breeze {@code DenseMatrix[Double]} ({@code in x out}, so a layer computes
     * {@code x * W + b}) and, from {@link #layerBiases()}, its bias as a {@code DenseVector[Double]}: zero-copy
     * views over one copy of the flat parameters (changing them does not change this model).
     */
    public List<DenseMatrix<Object>> layerWeights() {
        return BreezeInterop.weights(architecture().toNetwork().layout(), params.clone());
    }

    /** Each layer's bias as a Breeze vector (over a copy of the parameters). */
    public List<DenseVector<Object>> layerBiases() {
        return BreezeInterop.biases(architecture().toNetwork().layout(), params.clone());
    }

    ModelMetadata metadata() {
        return metadata;
    }

    double[] flatParams() {
        return params;
    }

    /** Output columns after the input's, given the output column names (empty = left out). */
    abstract List<StructField> outputFields();

    /** Which outputs the scoring task writes: raw, probability, prediction (regression: prediction only). */
    abstract Scoring.Outputs outputs();

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureColumn.of(schema, $(featuresCol));
        List<StructField> fields = new ArrayList<>(List.of(schema.fields()));
        for (StructField f : outputFields()) {
            if (List.of(schema.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException("output column '" + f.name() + "' already exists in the DataFrame; "
                        + "choose another name (or \"\" to leave it out)");
            }
            fields.add(f);
        }
        return new StructType(fields.toArray(new StructField[0]));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema(), true);
        StructType in = dataset.schema();
        FeatureColumn fc = FeatureColumn.of(in, $(featuresCol));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Scoring scoring = new Scoring(metadata.architecture(), metadata.scaler(), jsc.broadcast(params), fc,
                in.fieldIndex($(featuresCol)), outputs());
        return dataset.toDF().mapPartitions(scoring, Encoders.row(out));
    }

    @Override
    public MLWriter write() {
        return new ModelWriter(this);
    }

    @Override
    public void save(String path) throws java.io.IOException {
        write().save(path);
    }

    /** A copy with the same metadata and parameters, this model's param values plus {@code extra}. */
    protected final M copyWith(M that, org.apache.spark.ml.param.ParamMap extra) {
        M m = copyValues(that, extra);
        return hasParent() ? m.setParent(parent()) : m;
    }
}
