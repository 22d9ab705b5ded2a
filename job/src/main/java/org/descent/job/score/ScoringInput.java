package org.descent.job.score;

import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;
import org.descent.job.data.DataException;
import org.descent.job.data.DataFormat;
import org.descent.job.data.DataLoader;
import org.descent.job.data.DataSpec;
import org.descent.job.data.ScoringBlock;
import org.descent.job.data.ScoringData;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.model.SavedModel;
import org.descent.math.scale.Scaler;

/**
 * Data to score with a saved model. How to read it: the {@code data.*} section of the model's saved
 * training config ({@code metadata.trainingConfig}), then the caller's overrides ({@code data.format=csv},
 * {@code data.label-column=...}); the path is the given one, the label type follows the model
 * (class-index for classifiers, real for regression) and the feature/class counts are the model's.
 *
 * <p>Width check: CSV and Parquet are read with the width inferred from the data and compared with the
 * model ("model expects 784 features, data has 20"); LIBSVM (sparse) is read with the model's width, so an
 * index beyond it is the error. The model's scaler (if any) is applied to every block.
 */
public final class ScoringInput {
    private ScoringInput() {}

    /** The resolved spec for {@code dataPath}; a bad override is a {@link org.descent.job.config.ConfigError}. */
    public static DataSpec spec(SavedModel model, String dataPath, List<String> overrides) {
        ModelArchitecture a = model.metadata().architecture();
        List<String> all = new ArrayList<>();
        all.add("data.train-path=" + ConfigUtil.quoteString(dataPath));
        all.add("data.validation-path=null");
        all.add("training.validation-fraction=0");
        all.add("training.early-stopping.enabled=false");
        all.add("data.label-type=" + (a.isClassifier() ? "class-index" : "real"));
        all.add("model.type=" + a.modelType());
        String saved = model.metadata().trainingConfig();
        if (saved == null || saved.isBlank()) { // a model without its config: only what the data stage needs
            all.add("output.model-path=\"unused\"");
            if (a.modelType().equals("mlp")) all.add("model.hidden-layers=[1]");
        }
        all.addAll(overrides);
        JobConfig cfg = ConfigLoader.parse(saved == null ? "" : saved, all);
        return cfg.data().trainSpec();
    }

    /** Reads {@code spec}, checks the width against the model, applies the scaler. */
    public static ScoringData load(SparkSession spark, SavedModel model, DataSpec spec, int partitions) {
        ModelArchitecture a = model.metadata().architecture();
        int want = a.numFeatures();
        ScoringData d;
        if (spec.format() == DataFormat.LIBSVM) {
            try {
                d = DataLoader.loadForScoring(spark, spec.withCounts(want, a.numClasses()), partitions);
            } catch (DataException e) {
                if (e.getMessage() != null && e.getMessage().contains("beyond numFeatures")) {
                    throw new DataException("model expects " + want + " features, the data has a larger feature index: "
                            + e.getMessage(), e);
                }
                throw e;
            }
        } else {
            d = DataLoader.loadForScoring(spark, spec.withCounts(0, a.numClasses()), partitions);
            if (d.numFeatures() != want) {
                throw new DataException("model expects " + want + " features, data has " + d.numFeatures()
                        + " (" + spec.path() + "); score data shaped like the training data, or check "
                        + "--label-column / --id-column so the label and id are not counted as features");
            }
        }
        Scaler scaler = model.metadata().scaler();
        if (scaler == null) return d;
        // a broadcast, not a closure capture: the closure rides in every stage's task binary (2 x 8 x numFeatures bytes)
        org.apache.spark.broadcast.Broadcast<Scaler> bc =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(scaler);
        JavaRDD<ScoringBlock> scaled = d.blocks().map(sb -> new ScoringBlock(sb.block().scaled(bc.value()), sb.sourceIds()));
        return new ScoringData(scaled, d.count(), d.numFeatures(), d.numClasses(), d.badRowCounts());
    }
}
