package org.descent.job.train;

import java.util.List;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;

/** Job configs for in-memory tests (paths are placeholders: the data comes from {@link InMemoryData}). */
public final class TestConfigs {
    private TestConfigs() {}

    public static JobConfig of(String hocon, String... overrides) {
        String base = "data.train-path = \"mem:train\"\noutput.model-path = \"mem:model\"\ntraining.partitions = 3\n";
        return ConfigLoader.parse(base + hocon, List.of(overrides));
    }
}
