package org.descent.job.config;

/**
 * The {@code output} section: where the model directory goes, whether an existing one may be replaced,
 * the run directory ({@code runDir}, never null: defaults to {@code <modelPath>.run}) and the progress line.
 */
public record OutputConfig(String modelPath, boolean overwrite, String runDir, ProgressMode progress,
                           double progressIntervalSeconds) {

    /** The run directory used when {@code output.run-dir} is null. */
    public static String defaultRunDir(String modelPath) {
        String p = modelPath.endsWith("/") ? modelPath.substring(0, modelPath.length() - 1) : modelPath;
        return p + ".run";
    }
}
