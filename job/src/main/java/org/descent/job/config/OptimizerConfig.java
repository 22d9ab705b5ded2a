package org.descent.job.config;

import org.descent.math.optim.OptimizerSpec;

/**
 * The {@code optimizer} section, validated: the update rule ({@link OptimizerSpec}: kind and its
 * hyper-parameters, range-checked by common-math) and the base learning rate ({@code > 0}), which the
 * {@code schedule} section turns into a per-step rate.
 */
public record OptimizerConfig(OptimizerSpec spec, double learningRate) {}
