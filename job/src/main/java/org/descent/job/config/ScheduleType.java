package org.descent.job.config;

/** {@code schedule.kind}. */
public enum ScheduleType { CONSTANT, STEP, EXPONENTIAL, INVERSE_SQRT, COSINE }
