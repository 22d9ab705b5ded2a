package org.descent.job.config;

/**
 * The whole job configuration, parsed and validated once at the edge by {@link ConfigLoader};
 * nothing downstream reads string keys. {@code resolvedHocon} is the effective configuration
 * (file + overrides + defaults) rendered as HOCON, stored in the model's metadata.
 */
public record JobConfig(DataConfig data, ModelConfig model, OptimizerConfig optimizer, ScheduleConfig schedule,
                        RegularizationConfig regularization, ClippingConfig clipping, TrainingConfig training,
                        OutputConfig output, SparkSettings spark, CheckpointConfig checkpoint,
                        String resolvedHocon) {}
