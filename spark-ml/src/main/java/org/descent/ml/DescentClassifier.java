package org.descent.ml;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.Attribute$;
import org.apache.spark.ml.attribute.BinaryAttribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.descent.job.model.ModelMetadata;

/**
 * descent's classifier as a Spark ML estimator: logistic (2 classes), softmax or mlp (default softmax;
 * labels are class indices 0..k-1, k from {@link #numClasses}, else the label column's ML metadata, e.g.
 * from StringIndexer, else max label + 1). Every other setting is a param of {@link TrainingParams}.
 *
 * <pre>{@code
 * DescentClassifier clf = new DescentClassifier().setModelType("mlp").setHiddenLayers(new int[] {32})
 *         .setOptimizer("adam").setLearningRate(0.01).setEpochs(20);
 * DescentClassificationModel m = clf.fit(train);
 * }</pre>
 */
public final class DescentClassifier extends DescentEstimator<DescentClassifier, DescentClassificationModel> {
    private final IntParam numClasses;
    private final Param<String> rawPredictionCol;
    private final Param<String> probabilityCol;

    public DescentClassifier() {
        this(Identifiable$.MODULE$.randomUID("descentClassifier"));
    }

    public DescentClassifier(String uid) {
        super(uid, true, context());
        defaultTo(modelType(), "softmax");
        numClasses = register(new IntParam(this, "numClasses", "class count; 0 = infer (data.num-classes)",
                new ConfigCheck<>("data.num-classes", context())), "data.num-classes");
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "raw prediction (log-probability) column (empty = none)");
        probabilityCol = new Param<>(this, "probabilityCol", "class probability column (empty = none)");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(probabilityCol, "probability");
    }

    /** Set-time checks run in a classifier context: class-index labels, model.type softmax. */
    private static List<String> context() {
        List<String> c = new ArrayList<>(JobSettings.base(true));
        c.add(JobSettings.override("model.type", "softmax"));
        return c;
    }

    public IntParam numClasses() { return numClasses; }

    public Param<String> rawPredictionCol() { return rawPredictionCol; }

    public Param<String> probabilityCol() { return probabilityCol; }

    public DescentClassifier setNumClasses(int v) { return put(numClasses, v); }

    public DescentClassifier setRawPredictionCol(String v) { return put(rawPredictionCol, v); }

    public DescentClassifier setProbabilityCol(String v) { return put(probabilityCol, v); }

    @Override
    DescentClassificationModel newModel(String uid, ModelMetadata metadata, double[] params) {
        return new DescentClassificationModel(uid, metadata, params);
    }

    @Override
    List<StructField> outputFields() {
        return DescentClassificationModel.fields(this, $(rawPredictionCol), $(probabilityCol), getPredictionCol(),
                (Integer) $(numClasses));
    }

    @Override
    int classesFromSchema(StructType schema) {
        Attribute a = Attribute$.MODULE$.fromStructField(schema.apply(getLabelCol()));
        if (a instanceof BinaryAttribute) return 2;
        if (a instanceof NominalAttribute n && n.numValues().isDefined()) return (Integer) n.numValues().get();
        return 0;
    }

    @Override
    public DescentClassifier copy(ParamMap extra) {
        return copyTo(new DescentClassifier(uid()), extra);
    }

    public static MLReader<DescentClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static DescentClassifier load(String path) {
        return read().load(path);
    }
}
