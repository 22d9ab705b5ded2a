package org.descent.job.config;

import java.util.Map;

/** The {@code spark} section: master (null = keep spark-submit's, else local[*]), app name, extra settings. */
public record SparkSettings(String master, String appName, Map<String, String> conf) {
    public SparkSettings {
        conf = Map.copyOf(conf);
    }
}
