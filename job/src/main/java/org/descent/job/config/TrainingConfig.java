package org.descent.job.config;

import org.descent.math.nn.Precision;

/**
 * The {@code training} section, validated (epochs, batch size, partitions all at least 1).
 * {@code precision} is the arithmetic of the training step's forward/backward pass on the executors
 * ({@code training.precision}) and of the run's validation passes; {@code evaluate}, {@code predict} and the publish
 * gate score in {@link Precision#FLOAT64}. {@code localSteps}
 * ({@code training.local-steps}) is 1 for synchronous SGD, k &gt; 1 for local SGD (allreduce exchange only).
 */
public record TrainingConfig(int epochs, int batchSize, int partitions, long seed, double validationFraction,
                             ExchangeKind exchange, StorageChoice storageLevel, EarlyStoppingConfig earlyStopping,
                             Precision precision, int localSteps) {}
