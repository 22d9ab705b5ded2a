package org.descent.job.config;

import java.util.ArrayList;
import java.util.List;
import org.descent.job.data.BadRowPolicy;
import org.descent.job.data.DataFormat;
import org.descent.job.data.LabelType;
import org.descent.job.data.Representation;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.InitKind;
import org.descent.math.nn.Precision;
import org.descent.math.optim.OptimizerKind;
import org.descent.math.optim.OptimizerSpec;
import org.descent.math.optim.ScheduleKind;
import org.descent.math.scale.ScalerKind;

/** Section-by-section typed reads and range checks, then the rules that span keys. */
final class ConfigValidator {
    private static final double INF = Double.POSITIVE_INFINITY;

    private ConfigValidator() {}

    static JobConfig validate(TypedReader r, String resolved) {
        DataConfig data = data(r);
        ModelConfig model = model(r, data);
        OptimizerConfig optimizer = optimizer(r);
        ScheduleConfig schedule = schedule(r, optimizer);
        RegularizationConfig reg = new RegularizationConfig(
                r.real("regularization.l1", 0, false, INF, false),
                r.real("regularization.l2", 0, false, INF, false),
                r.bool("regularization.include-bias"));
        ClippingConfig clipping = new ClippingConfig(r.real("clipping.max-norm", 0, false, INF, false));
        TrainingConfig training = training(r, data);
        checkEarlyStopping(r, training, model, data);
        String modelPath = r.requiredString("output.model-path", "the directory the trained model is written to");
        String runDir = r.optionalString("output.run-dir");
        OutputConfig output = new OutputConfig(modelPath, r.bool("output.overwrite"),
                runDir != null ? runDir : OutputConfig.defaultRunDir(modelPath),
                r.enumeration("output.progress", ProgressMode.class),
                r.real("output.progress-interval", 0, true, INF, false));
        SparkSettings spark = new SparkSettings(r.optionalString("spark.master"),
                r.requiredString("spark.app-name", "a Spark application name"), r.stringMap("spark.conf"));
        CheckpointConfig checkpoint = checkpoint(r);
        return new JobConfig(data, model, optimizer, schedule, reg, clipping, training, output, spark, checkpoint,
                resolved);
    }

    private static CheckpointConfig checkpoint(TypedReader r) {
        CheckpointConfig c = new CheckpointConfig(r.optionalString("checkpoint.dir"),
                r.integer("checkpoint.every-epochs", 0, Integer.MAX_VALUE),
                r.integer("checkpoint.every-steps", 0, Integer.MAX_VALUE),
                r.integer("checkpoint.keep-last", 1, 10_000));
        if (c.enabled() && c.everyEpochs() == 0 && c.everySteps() == 0) {
            throw r.error("checkpoint.every-epochs", "checkpoint.dir is set but both checkpoint.every-epochs and "
                    + "checkpoint.every-steps are 0; set one of them, or checkpoint.dir = null");
        }
        return c;
    }

    private static DataConfig data(TypedReader r) {
        String train = r.requiredString("data.train-path", "path of the training data (any Hadoop filesystem URI)");
        String validation = r.optionalString("data.validation-path");
        DataFormat format = r.enumeration("data.format", DataFormat.class);
        LabelType labelType = r.enumeration("data.label-type", LabelType.class);
        int numFeatures = r.integer("data.num-features", 0, Integer.MAX_VALUE);
        int numClasses = r.integer("data.num-classes", 0, Integer.MAX_VALUE);
        if (numClasses == 1) {
            throw r.error("data.num-classes", "must be 0 (infer) or at least 2");
        }
        String delimiter = r.optionalString("data.csv-delimiter");
        if (delimiter == null || delimiter.length() != 1) {
            throw r.error("data.csv-delimiter", "must be exactly one character, e.g. \",\" or \"\\t\"");
        }
        BadRowPolicy.Mode mode = r.enumeration("data.bad-rows", BadRowPolicy.Mode.class);
        double maxBad = r.real("data.max-bad-fraction", 0, false, 1, false);
        ScalerKind scaling = r.enumeration("data.scaling", ScalerKind.class);
        Representation representation = r.enumeration("data.representation", Representation.class);
        if (representation == Representation.SPARSE && !scaling.keepsZeros()) {
            throw r.error("data.scaling", org.descent.math.scale.Scaler.centeringRefusal(scaling)
                    .replace(", or data.representation = dense for narrow data", "")
                    + " (data.representation = sparse)");
        }
        return new DataConfig(train, validation, format, labelType, numFeatures, numClasses,
                r.optionalString("data.label-column"), r.optionalString("data.features-column"),
                r.optionalString("data.id-column"), r.bool("data.csv-header"), delimiter.charAt(0),
                new BadRowPolicy(mode, maxBad), scaling, representation,
                r.enumeration("data.storage", org.descent.job.data.Storage.class));
    }

    private static ModelConfig model(TypedReader r, DataConfig data) {
        ModelType type = r.enumeration("model.type", ModelType.class);
        List<Integer> hidden = r.intList("model.hidden-layers", 1);
        ActivationKind activation = r.enumeration("model.activation", ActivationKind.class);
        List<String> perLayer = r.stringList("model.activations");
        double slope = r.real("model.leaky-slope", 0, false, 1, true);
        InitKind init = r.enumeration("model.init", InitKind.class);
        List<org.descent.math.nn.layers.LayerDef> layers =
                LayersReader.read(r, r.list(LayersReader.KEY), activation, slope);
        List<Integer> inputShape = r.intList("model.input-shape", 1);
        if (!layers.isEmpty()) {
            if (type != ModelType.MLP) {
                throw r.error(LayersReader.KEY, "only model.type = mlp has layers; model.type is " + TypedReader.kebab(type));
            }
            if (!hidden.isEmpty()) {
                throw r.error("model.hidden-layers", "set either model.hidden-layers or model.layers, not both");
            }
            if (inputShape.size() > 3) {
                throw r.error("model.input-shape", "has 1 to 3 dimensions: [channels, height, width], [time, features] "
                        + "or [features]");
            }
            long product = inputShape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
            if (!inputShape.isEmpty() && data.numFeatures() > 0 && product != data.numFeatures()) {
                throw r.error("model.input-shape", "holds " + product + " features but data.num-features is "
                        + data.numFeatures());
            }
            if (!inputShape.isEmpty() || data.numFeatures() > 0) {
                LayersReader.resolve(r, inputShape.isEmpty()
                        ? org.descent.math.nn.layers.Shape.of(data.numFeatures())
                        : new org.descent.math.nn.layers.Shape(inputShape), layers);
            }
            checkLabels(r, type, data);
            return new ModelConfig(type, hidden, List.of(), slope, init, layers, inputShape);
        }
        if (!inputShape.isEmpty()) {
            throw r.error("model.input-shape", "is used by model.layers only (a dense model takes the flat features)");
        }
        if (type == ModelType.MLP && hidden.isEmpty()) {
            throw r.error("model.hidden-layers", "an mlp needs at least one hidden layer, e.g. [256, 128], "
                    + "or model.layers");
        }
        if (type != ModelType.MLP && !hidden.isEmpty()) {
            throw r.error("model.hidden-layers", "only model.type = mlp has hidden layers; "
                    + "model.type is " + TypedReader.kebab(type));
        }
        if (!perLayer.isEmpty() && perLayer.size() != hidden.size()) {
            throw r.error("model.activations", "needs one activation per hidden layer (" + hidden.size()
                    + "), got " + perLayer.size());
        }
        List<ActivationKind> acts = new ArrayList<>();
        for (int i = 0; i < hidden.size(); i++) {
            ActivationKind a = perLayer.isEmpty() ? activation
                    : r.parseEnum("model.activations", perLayer.get(i), ActivationKind.class);
            if (a == ActivationKind.SOFTMAX) {
                throw r.error(perLayer.isEmpty() ? "model.activation" : "model.activations",
                        "softmax is not a hidden-layer activation; use relu, leaky-relu, tanh, sigmoid or identity");
            }
            acts.add(a);
        }
        checkLabels(r, type, data);
        return new ModelConfig(type, hidden, acts, slope, init);
    }

    private static void checkLabels(TypedReader r, ModelType type, DataConfig data) {
        boolean classes = data.labelType() == LabelType.CLASS_INDEX;
        if ((type == ModelType.LOGISTIC || type == ModelType.SOFTMAX) && !classes) {
            throw r.error("data.label-type", "model.type = " + TypedReader.kebab(type)
                    + " is a classifier and needs data.label-type = class-index");
        }
        if (type == ModelType.LINEAR && classes) {
            throw r.error("data.label-type", "model.type = linear is a regression and needs data.label-type = real");
        }
        if (type == ModelType.LOGISTIC && data.numClasses() > 2) {
            throw r.error("data.num-classes", "model.type = logistic is binary (2 classes); use softmax for more");
        }
    }

    private static OptimizerConfig optimizer(TypedReader r) {
        OptimizerKind kind = r.enumeration("optimizer.kind", OptimizerKind.class);
        double lr = r.real("optimizer.learning-rate", 0, true, INF, false);
        OptimizerSpec spec = OptimizerSpec.defaults(kind)
                .withMomentum(r.real("optimizer.momentum", 0, false, 1, true))
                .withBetas(r.real("optimizer.beta1", 0, false, 1, true), r.real("optimizer.beta2", 0, false, 1, true))
                .withRho(r.real("optimizer.rho", 0, false, 1, true))
                .withWeightDecay(r.real("optimizer.weight-decay", 0, false, INF, false))
                .withDecayBiases(r.bool("optimizer.decay-biases"));
        if (r.isSet("optimizer.epsilon")) {
            spec = spec.withEpsilon(r.real("optimizer.epsilon", 0, true, 1, false));
        }
        return new OptimizerConfig(spec, lr);
    }

    private static ScheduleConfig schedule(TypedReader r, OptimizerConfig opt) {
        ScheduleConfig s = new ScheduleConfig(r.enumeration("schedule.kind", ScheduleKind.class),
                r.real("schedule.decay-rate", 0, true, 1, false),
                r.longValue("schedule.decay-steps", 1, Long.MAX_VALUE),
                r.longValue("schedule.warmup-steps", 0, Long.MAX_VALUE),
                r.longValue("schedule.total-steps", 0, Long.MAX_VALUE),
                r.real("schedule.min-learning-rate", 0, false, opt.learningRate(), false));
        if (s.totalSteps() > 0 && s.warmupSteps() >= s.totalSteps() && s.kind() == ScheduleKind.COSINE) {
            throw r.error("schedule.warmup-steps", "must be < schedule.total-steps (" + s.totalSteps() + ")");
        }
        try {
            s.toSpec(opt.learningRate(), s.warmupSteps() + 1);
        } catch (IllegalArgumentException e) {
            throw new ConfigError("schedule", "config section 'schedule' (kind " + s.kind().configName() + ") is invalid: "
                    + e.getMessage());
        }
        return s;
    }

    private static TrainingConfig training(TypedReader r, DataConfig data) {
        int epochs = r.integer("training.epochs", 1, 1_000_000);
        int batch = r.integer("training.batch-size", 1, Integer.MAX_VALUE);
        int partitions = r.integer("training.partitions", 1, 100_000);
        long seed = r.longValue("training.seed", Long.MIN_VALUE, Long.MAX_VALUE);
        double fraction = r.real("training.validation-fraction", 0, false, 1, true);
        if (fraction > 0 && data.validationPath() != null) {
            throw r.error("training.validation-fraction", "set either data.validation-path or "
                    + "training.validation-fraction, not both (data.validation-path = " + data.validationPath() + ")");
        }
        return new TrainingConfig(epochs, batch, partitions, seed, fraction,
                r.enumeration("training.exchange", ExchangeKind.class),
                r.enumeration("training.storage-level", StorageChoice.class), earlyStopping(r),
                r.enumeration("training.precision", Precision.class),
                r.integer("training.local-steps", 1, 1_000_000));
    }

    private static EarlyStoppingConfig earlyStopping(TypedReader r) {
        return new EarlyStoppingConfig(r.bool("training.early-stopping.enabled"),
                r.enumeration("training.early-stopping.metric", EarlyStoppingConfig.Metric.class),
                r.integer("training.early-stopping.patience", 1, 1_000_000),
                r.real("training.early-stopping.min-delta", 0, false, INF, false));
    }

    /** Early stopping needs a validation set and a metric the model type reports. */
    private static void checkEarlyStopping(TypedReader r, TrainingConfig training, ModelConfig model, DataConfig data) {
        EarlyStoppingConfig es = training.earlyStopping();
        if (!es.enabled()) return;
        if (data.validationPath() == null && training.validationFraction() == 0) {
            throw r.error("training.early-stopping.enabled", "early stopping needs a validation set: set "
                    + "data.validation-path or training.validation-fraction (e.g. 0.1)");
        }
        boolean classifier = data.labelType() == LabelType.CLASS_INDEX;
        EarlyStoppingConfig.Metric m = es.metric();
        boolean fits = switch (m) {
            case VALIDATION_LOSS -> true;
            case ACCURACY -> classifier;
            case AUC -> model.type() == ModelType.LOGISTIC;
            case RMSE, R2 -> !classifier;
        };
        if (!fits) {
            throw r.error("training.early-stopping.metric", "metric " + m.configName() + " does not fit model.type = "
                    + TypedReader.kebab(model.type()) + " with data.label-type = " + TypedReader.kebab(data.labelType())
                    + "; use validation-loss" + (classifier ? ", accuracy" + (model.type() == ModelType.LOGISTIC
                    ? " or auc" : "") : ", rmse or r2"));
        }
    }
}
