package org.descent.ml;

import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * Every training setting of the job config as a typed Spark ML param (name, then the config key in
 * the doc): defaults from the job's {@code defaults.conf}, values checked by the job's config
 * validator with the config's messages. A setting whose rules involve no other key is checked at
 * {@code set}; the rest ({@link #CROSS_KEY_NOTE}) and the whole set are checked again in
 * {@code fit}/{@code transformSchema} through {@link #jobConfig()}. How a param is bound to its key,
 * defaulted, checked and turned into config is {@link ConfigParams}.
 *
 * <p>One param per key, in the order of the config sections; an accessor and a setter each.
 */
public abstract class TrainingParams<E extends TrainingParams<E, M>, M extends DescentModel<M>> extends ConfigParams<E, M> {
    /** Why some params are only checked in fit. */
    public static final String CROSS_KEY_NOTE = "modelType, hiddenLayers, activations, warmupSteps, minLearningRate "
            + "and earlyStopping depend on other params and are checked in fit()";

    private final Param<String> modelType;
    private final IntArrayParam hiddenLayers;
    private final Param<String> activation;
    private final StringArrayParam activations;
    private final DoubleParam leakySlope;
    private final Param<String> init;
    private final Param<String> optimizer;
    private final DoubleParam learningRate;
    private final DoubleParam momentum;
    private final DoubleParam beta1;
    private final DoubleParam beta2;
    private final DoubleParam epsilon;
    private final DoubleParam rho;
    private final DoubleParam weightDecay;
    private final BooleanParam decayBiases;
    private final Param<String> schedule;
    private final DoubleParam decayRate;
    private final LongParam decaySteps;
    private final LongParam warmupSteps;
    private final LongParam totalSteps;
    private final DoubleParam minLearningRate;
    private final DoubleParam l1;
    private final DoubleParam l2;
    private final BooleanParam regularizeBias;
    private final DoubleParam clipNorm;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final IntParam numPartitions;
    private final LongParam seed;
    private final DoubleParam validationFraction;
    private final Param<String> exchange;
    private final IntParam localSteps;
    private final Param<String> storageLevel;
    private final Param<String> precision;
    private final BooleanParam earlyStopping;
    private final Param<String> earlyStoppingMetric;
    private final IntParam patience;
    private final DoubleParam minDelta;
    private final Param<String> scaling;
    private final Param<String> representation;
    private final Param<String> badRows;
    private final DoubleParam maxBadFraction;
    private final Param<String> checkpointDir;
    private final IntParam checkpointEveryEpochs;
    private final IntParam checkpointEverySteps;
    private final IntParam checkpointKeepLast;

    protected TrainingParams(String uid, boolean classifier, List<String> context) {
        super(uid, classifier, context);
        modelType = str("modelType", "model.type", true,
                "linear | logistic | softmax | mlp (model.type)");
        hiddenLayers = ints("hiddenLayers", "model.hidden-layers", true,
                "mlp hidden layer sizes, input to output (model.hidden-layers)");
        activation = str("activation", "model.activation", false,
                "hidden-layer activation: identity | sigmoid | tanh | relu | leaky-relu (model.activation)");
        activations = strs("activations", "model.activations", true,
                "per-hidden-layer activations, overriding activation when non-empty (model.activations)");
        leakySlope = real("leakySlope", "model.leaky-slope", false,
                "slope of leaky-relu for negative inputs (model.leaky-slope)");
        init = str("init", "model.init", false,
                "xavier-uniform | xavier-normal | he-normal | lecun-normal | zeros (model.init)");
        optimizer = str("optimizer", "optimizer.kind", false,
                "sgd | momentum | nesterov | adagrad | rmsprop | adam | adamw (optimizer.kind)");
        learningRate = real("learningRate", "optimizer.learning-rate", false,
                "base learning rate > 0 (optimizer.learning-rate)");
        momentum = real("momentum", "optimizer.momentum", false,
                "momentum, nesterov (optimizer.momentum)");
        beta1 = real("beta1", "optimizer.beta1", false,
                "adam, adamw (optimizer.beta1)");
        beta2 = real("beta2", "optimizer.beta2", false,
                "adam, adamw (optimizer.beta2)");
        epsilon = real("epsilon", "optimizer.epsilon", false,
                "adagrad, rmsprop, adam, adamw; unset = the optimizer's default (optimizer.epsilon)");
        rho = real("rho", "optimizer.rho", false,
                "rmsprop decay of the squared-gradient average (optimizer.rho)");
        weightDecay = real("weightDecay", "optimizer.weight-decay", false,
                "adamw decoupled weight decay (optimizer.weight-decay)");
        decayBiases = bool("decayBiases", "optimizer.decay-biases", false,
                "adamw: biases decay too (optimizer.decay-biases)");
        schedule = str("schedule", "schedule.kind", false,
                "constant | step | exponential | inverse-sqrt | cosine (schedule.kind)");
        decayRate = real("decayRate", "schedule.decay-rate", false,
                "step, exponential (schedule.decay-rate)");
        decaySteps = integral("decaySteps", "schedule.decay-steps", false,
                "step, exponential (schedule.decay-steps)");
        warmupSteps = integral("warmupSteps", "schedule.warmup-steps", true,
                "inverse-sqrt, cosine linear warm-up steps (schedule.warmup-steps)");
        totalSteps = integral("totalSteps", "schedule.total-steps", false,
                "cosine: steps to decay over, 0 = the whole run (schedule.total-steps)");
        minLearningRate = real("minLearningRate", "schedule.min-learning-rate", true,
                "cosine floor, < learningRate (schedule.min-learning-rate)");
        l1 = real("l1", "regularization.l1", false,
                "L1 penalty (regularization.l1)");
        l2 = real("l2", "regularization.l2", false,
                "L2 penalty (regularization.l2)");
        regularizeBias = bool("regularizeBias", "regularization.include-bias", false,
                "biases are penalised too (regularization.include-bias)");
        clipNorm = real("clipNorm", "clipping.max-norm", false,
                "rescale the step gradient to this L2 norm when larger; 0 = off (clipping.max-norm)");
        epochs = integer("epochs", "training.epochs", false,
                "passes over the data (training.epochs)");
        batchSize = integer("batchSize", "training.batch-size", false,
                "global mini-batch rows per optimizer step (training.batch-size)");
        numPartitions = integer("numPartitions", "training.partitions", false,
                "row blocks (Spark partitions) the data is split into (training.partitions)");
        seed = integral("seed", "training.seed", false,
                "seed of initialisation, row placement and batches (training.seed)");
        validationFraction = real("validationFraction", "training.validation-fraction", false,
                "seeded holdout for validation, 0 = none (training.validation-fraction)");
        exchange = str("exchange", "training.exchange", false,
                "auto | allreduce | broadcast-collect (training.exchange)");
        localSteps = integer("localSteps", "training.local-steps", false,
                "local SGD steps between averaging, 1 = synchronous (training.local-steps)");
        storageLevel = str("storageLevel", "training.storage-level", false,
                "memory-only | memory-and-disk (training.storage-level)");
        precision = str("precision", "training.precision", false,
                "float64 | float32 arithmetic of the training step (training.precision)");
        earlyStopping = bool("earlyStopping", "training.early-stopping.enabled", true,
                "stop when the validation metric stops improving; needs validationFraction (training.early-stopping.enabled)");
        earlyStoppingMetric = str("earlyStoppingMetric", "training.early-stopping.metric", false,
                "validation-loss | accuracy | auc | rmse | r2 (training.early-stopping.metric)");
        patience = integer("patience", "training.early-stopping.patience", false,
                "epochs without improvement before stopping (training.early-stopping.patience)");
        minDelta = real("minDelta", "training.early-stopping.min-delta", false,
                "smallest change that counts as improvement (training.early-stopping.min-delta)");
        scaling = str("scaling", "data.scaling", false,
                "none | standard | min-max | max-abs | unit-variance feature scaling fitted in fit() and kept in the model; sparse blocks need none, max-abs or unit-variance (data.scaling)");
        representation = str("representation", "data.representation", false,
                "auto | dense | sparse training blocks; auto: sparse at density <= 0.1 and > 64 features (data.representation)");
        badRows = str("badRows", "data.bad-rows", false,
                "fail | skip rows with null/non-finite features or bad labels (data.bad-rows)");
        maxBadFraction = real("maxBadFraction", "data.max-bad-fraction", false,
                "with badRows = skip: fail above this fraction (data.max-bad-fraction)");
        checkpointDir = str("checkpointDir", "checkpoint.dir", false,
                "checkpoint directory (any Hadoop filesystem); unset = no checkpoints (checkpoint.dir)");
        checkpointEveryEpochs = integer("checkpointEveryEpochs", "checkpoint.every-epochs", false,
                "checkpoint after every N-th epoch (checkpoint.every-epochs)");
        checkpointEverySteps = integer("checkpointEverySteps", "checkpoint.every-steps", false,
                "also after every M-th step, 0 = off (checkpoint.every-steps)");
        checkpointKeepLast = integer("checkpointKeepLast", "checkpoint.keep-last", false,
                "keep the newest K checkpoints (checkpoint.keep-last)");
    }

    public final Param<String> modelType() { return modelType; }

    public E setModelType(String value) { return put(modelType, value); }

    public final IntArrayParam hiddenLayers() { return hiddenLayers; }

    public E setHiddenLayers(int[] value) { return put(hiddenLayers, value); }

    public final Param<String> activation() { return activation; }

    public E setActivation(String value) { return put(activation, value); }

    public final StringArrayParam activations() { return activations; }

    public E setActivations(String[] value) { return put(activations, value); }

    public final DoubleParam leakySlope() { return leakySlope; }

    public E setLeakySlope(double value) { return put(leakySlope, value); }

    public final Param<String> init() { return init; }

    public E setInit(String value) { return put(init, value); }

    public final Param<String> optimizer() { return optimizer; }

    public E setOptimizer(String value) { return put(optimizer, value); }

    public final DoubleParam learningRate() { return learningRate; }

    public E setLearningRate(double value) { return put(learningRate, value); }

    public final DoubleParam momentum() { return momentum; }

    public E setMomentum(double value) { return put(momentum, value); }

    public final DoubleParam beta1() { return beta1; }

    public E setBeta1(double value) { return put(beta1, value); }

    public final DoubleParam beta2() { return beta2; }

    public E setBeta2(double value) { return put(beta2, value); }

    public final DoubleParam epsilon() { return epsilon; }

    public E setEpsilon(double value) { return put(epsilon, value); }

    public final DoubleParam rho() { return rho; }

    public E setRho(double value) { return put(rho, value); }

    public final DoubleParam weightDecay() { return weightDecay; }

    public E setWeightDecay(double value) { return put(weightDecay, value); }

    public final BooleanParam decayBiases() { return decayBiases; }

    public E setDecayBiases(boolean value) { return put(decayBiases, value); }

    public final Param<String> schedule() { return schedule; }

    public E setSchedule(String value) { return put(schedule, value); }

    public final DoubleParam decayRate() { return decayRate; }

    public E setDecayRate(double value) { return put(decayRate, value); }

    public final LongParam decaySteps() { return decaySteps; }

    public E setDecaySteps(long value) { return put(decaySteps, value); }

    public final LongParam warmupSteps() { return warmupSteps; }

    public E setWarmupSteps(long value) { return put(warmupSteps, value); }

    public final LongParam totalSteps() { return totalSteps; }

    public E setTotalSteps(long value) { return put(totalSteps, value); }

    public final DoubleParam minLearningRate() { return minLearningRate; }

    public E setMinLearningRate(double value) { return put(minLearningRate, value); }

    public final DoubleParam l1() { return l1; }

    public E setL1(double value) { return put(l1, value); }

    public final DoubleParam l2() { return l2; }

    public E setL2(double value) { return put(l2, value); }

    public final BooleanParam regularizeBias() { return regularizeBias; }

    public E setRegularizeBias(boolean value) { return put(regularizeBias, value); }

    public final DoubleParam clipNorm() { return clipNorm; }

    public E setClipNorm(double value) { return put(clipNorm, value); }

    public final IntParam epochs() { return epochs; }

    public E setEpochs(int value) { return put(epochs, value); }

    public final IntParam batchSize() { return batchSize; }

    public E setBatchSize(int value) { return put(batchSize, value); }

    public final IntParam numPartitions() { return numPartitions; }

    public E setNumPartitions(int value) { return put(numPartitions, value); }

    public final LongParam seed() { return seed; }

    public E setSeed(long value) { return put(seed, value); }

    public final DoubleParam validationFraction() { return validationFraction; }

    public E setValidationFraction(double value) { return put(validationFraction, value); }

    public final Param<String> exchange() { return exchange; }

    public E setExchange(String value) { return put(exchange, value); }

    public final IntParam localSteps() { return localSteps; }

    public E setLocalSteps(int value) { return put(localSteps, value); }

    public final Param<String> storageLevel() { return storageLevel; }

    public E setStorageLevel(String value) { return put(storageLevel, value); }

    public final Param<String> precision() { return precision; }

    public E setPrecision(String value) { return put(precision, value); }

    public final BooleanParam earlyStopping() { return earlyStopping; }

    public E setEarlyStopping(boolean value) { return put(earlyStopping, value); }

    public final Param<String> earlyStoppingMetric() { return earlyStoppingMetric; }

    public E setEarlyStoppingMetric(String value) { return put(earlyStoppingMetric, value); }

    public final IntParam patience() { return patience; }

    public E setPatience(int value) { return put(patience, value); }

    public final DoubleParam minDelta() { return minDelta; }

    public E setMinDelta(double value) { return put(minDelta, value); }

    public final Param<String> scaling() { return scaling; }

    public E setScaling(String value) { return put(scaling, value); }

    public final Param<String> representation() { return representation; }

    public E setRepresentation(String value) { return put(representation, value); }

    public final Param<String> badRows() { return badRows; }

    public E setBadRows(String value) { return put(badRows, value); }

    public final DoubleParam maxBadFraction() { return maxBadFraction; }

    public E setMaxBadFraction(double value) { return put(maxBadFraction, value); }

    public final Param<String> checkpointDir() { return checkpointDir; }

    public E setCheckpointDir(String value) { return put(checkpointDir, value); }

    public final IntParam checkpointEveryEpochs() { return checkpointEveryEpochs; }

    public E setCheckpointEveryEpochs(int value) { return put(checkpointEveryEpochs, value); }

    public final IntParam checkpointEverySteps() { return checkpointEverySteps; }

    public E setCheckpointEverySteps(int value) { return put(checkpointEverySteps, value); }

    public final IntParam checkpointKeepLast() { return checkpointKeepLast; }

    public E setCheckpointKeepLast(int value) { return put(checkpointKeepLast, value); }
}
