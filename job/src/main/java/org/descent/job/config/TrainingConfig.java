package org.descent.job.config;

import org.descent.job.exchange.ExchangeKind;

/** The {@code training} section, validated (epochs, batch size, partitions all at least 1). */
public record TrainingConfig(int epochs, int batchSize, int partitions, long seed, double validationFraction,
                             ExchangeKind exchange, StorageChoice storageLevel, EarlyStoppingConfig earlyStopping) {}
