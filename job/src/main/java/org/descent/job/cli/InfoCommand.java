package org.descent.job.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.model.ModelMetadata;
import org.descent.job.model.ModelStore;
import org.descent.job.model.SavedModel;
import org.descent.math.nn.LayerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code info --model M}: what a model directory holds (no Spark). */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print a saved model's type, layers, features, classes, training date, metrics, scaler and parameter count.",
                "Exit codes: 0 ok, 3 model unreadable, 4 unexpected failure."})
public final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR", description = "Model directory written by train.")
    String model;

    @Option(names = "--config", description = "Also print the resolved training config.")
    boolean showConfig;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SavedModel m;
        try {
            m = ModelStore.load(new Configuration(), model);
        } catch (RuntimeException e) { // ModelFormatException → 3; anything else through the one mapping
            return Failures.report(spec.commandLine().getErr(), e);
        }
        ModelMetadata md = m.metadata();
        ModelArchitecture a = md.architecture();
        out.println("model:       " + model);
        out.println("type:        " + a.modelType() + " (loss " + a.loss().name().toLowerCase(Locale.ROOT) + ")");
        out.println("layers:      " + a.describe().substring(a.modelType().length() + 1));
        org.descent.math.nn.Network net = a.toNetwork();
        for (int i = 0; i < a.layers().size(); i++) {
            LayerSpec l = a.layers().get(i);
            long params = (long) net.layout().weight(i).length() + net.layout().bias(i).length();
            if (a.hasStack()) {
                out.printf(Locale.ROOT, "  layer %d:   %s, %d params%n", i, net.describeLayers().get(i), params);
            } else {
                out.printf(Locale.ROOT, "  layer %d:   %d -> %d, %s, %d params%n", i, l.in(), l.out(),
                        l.activation().name().toLowerCase(Locale.ROOT), params);
            }
        }
        out.println("features:    " + a.numFeatures());
        out.println("classes:     " + (a.numClasses() == 0 ? "none (regression)" : String.valueOf(a.numClasses())));
        out.println("parameters:  " + md.numParams());
        out.println("scaler:      " + (md.scaler() == null ? "none" : md.scaler().kind().configName()));
        out.println("trained:     " + md.createdAt());
        out.println("format:      " + md.formatVersion());
        out.println("metrics:");
        for (Map.Entry<String, Double> e : new TreeMap<>(md.metrics()).entrySet()) {
            out.printf(Locale.ROOT, "  %-20s %s%n", e.getKey(), e.getValue());
        }
        if (showConfig) {
            out.println("training config:");
            out.println(md.trainingConfig());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
