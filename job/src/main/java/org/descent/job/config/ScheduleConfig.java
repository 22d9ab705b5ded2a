package org.descent.job.config;

/** The {@code schedule} section, validated. Step counts are optimizer steps (global, 0-based). */
public record ScheduleConfig(ScheduleType kind, long stepSize, double gamma, double decayRate, long decaySteps,
                             long warmupSteps, long totalSteps, double minLearningRate) {}
