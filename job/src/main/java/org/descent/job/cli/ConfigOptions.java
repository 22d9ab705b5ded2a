package org.descent.job.cli;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;
import picocli.CommandLine.Option;

/** {@code --config FILE [--set key=value]...}: the job config options shared by train and gradcheck. */
final class ConfigOptions {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "HOCON job config, e.g. conf/fashion-mnist-mlp.conf")
    File config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (HOCON syntax), e.g. --set training.epochs=3 --set model.hidden-layers=[64,32]")
    List<String> overrides = new ArrayList<>();

    /** The validated config; a bad file or override is a {@link org.descent.job.config.ConfigError}. */
    JobConfig load() {
        return ConfigLoader.load(config, overrides);
    }
}
