package org.descent.job.config;

/** The {@code optimizer} section, validated (learning rate &gt; 0, moments in [0, 1), epsilon &gt; 0). */
public record OptimizerConfig(OptimizerType kind, double learningRate, double momentum, double beta1,
                              double beta2, double epsilon, double rho) {}
