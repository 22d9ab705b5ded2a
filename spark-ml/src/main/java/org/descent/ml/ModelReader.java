package org.descent.ml;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.descent.job.model.ModelMetadata;
import org.descent.job.model.ModelStore;
import org.descent.job.model.SavedModel;
import scala.Option;

/**
 * Loads a {@link DescentModel} from a directory written by {@link ModelWriter} (Spark ML layout: params
 * restored) or by {@code descent train} (the job's model directory itself: default column params, a new
 * uid). The model must be of the reader's kind (classifier or regressor).
 */
final class ModelReader<M extends DescentModel<M>> extends MLReader<M> {
    /** Builds a model from (uid, metadata, params). */
    interface Factory<M> extends java.io.Serializable {
        M create(String uid, ModelMetadata metadata, double[] params);
    }

    private final Class<M> type;
    private final boolean classifier;
    private final Factory<M> factory;

    ModelReader(Class<M> type, boolean classifier, Factory<M> factory) {
        this.type = type;
        this.classifier = classifier;
        this.factory = factory;
    }

    @Override
    public M load(String path) {
        var conf = sc().hadoopConfiguration();
        boolean sparkLayout;
        try {
            FileSystem fs = new Path(path).getFileSystem(conf);
            sparkLayout = fs.exists(new Path(path, "metadata"));
            if (!sparkLayout && !fs.exists(new Path(path, ModelStore.METADATA))) {
                throw new IllegalArgumentException("no descent model at " + path + ": neither a Spark ML model directory "
                        + "(metadata/) nor a model directory written by descent train (" + ModelStore.METADATA + ")");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (!sparkLayout) {
            SavedModel m = ModelStore.load(conf, path);
            requireKind(m, path);
            return factory.create(Identifiable$.MODULE$.randomUID("descent"), m.metadata(), m.params());
        }
        DefaultParamsReader.Metadata meta = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                type.getName());
        SavedModel m = ModelStore.load(conf, path + "/" + ModelWriter.DESCENT_DIR);
        requireKind(m, path);
        M model = factory.create(meta.uid(), m.metadata(), m.params());
        meta.getAndSetParams(model, Option.empty());
        return model;
    }

    private void requireKind(SavedModel m, String path) {
        if (m.metadata().architecture().isClassifier() != classifier) {
            throw new IllegalArgumentException("the model at " + path + " is a " + m.metadata().architecture().describe()
                    + (classifier ? "; it is a regression model: load it with DescentRegressionModel.load"
                    : "; it is a classifier: load it with DescentClassificationModel.load"));
        }
    }
}
