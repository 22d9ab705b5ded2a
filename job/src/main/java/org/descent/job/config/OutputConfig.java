package org.descent.job.config;

/** The {@code output} section: where the model directory goes and whether an existing one may be replaced. */
public record OutputConfig(String modelPath, boolean overwrite) {}
