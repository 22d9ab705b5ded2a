package org.descent.job.config;

/** {@code optimizer.kind}. */
public enum OptimizerType { SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM }
