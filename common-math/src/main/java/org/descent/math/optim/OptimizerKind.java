package org.descent.math.optim;

/** The optimizers a config can name; see {@link OptimizerSpec}. */
public enum OptimizerKind {
    /** {@link Sgd}. */
    SGD,
    /** {@link MomentumSgd}. */
    MOMENTUM,
    /** {@link NesterovSgd}. */
    NESTEROV,
    /** {@link Adagrad}. */
    ADAGRAD,
    /** {@link RmsProp}. */
    RMSPROP,
    /** {@link Adam}. */
    ADAM,
    /** {@link AdamW}. */
    ADAMW;

    /** Case-insensitive ("adamw", "ADAM"). Unknown names list the valid ones. */
    public static OptimizerKind parse(String text) {
        return KindNames.parse(OptimizerKind.class, "optimizer", text);
    }

    /** Lower-case config spelling; equals the built optimizer's {@link Optimizer#name()}. */
    public String configName() {
        return KindNames.configName(this);
    }
}
