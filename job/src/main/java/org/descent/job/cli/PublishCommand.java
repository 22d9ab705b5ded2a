package org.descent.job.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.descent.job.config.SparkSettings;
import org.descent.job.model.ModelFormatException;
import org.descent.job.model.ModelLease;
import org.descent.job.model.ModelStore;
import org.descent.job.model.SavedModel;
import org.descent.job.publish.Gate;
import org.descent.job.publish.ModelRegistry;
import org.descent.job.publish.GateEvaluation;
import org.descent.job.train.InputDataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code publish}: gate a candidate model against the store's current one and promote it. Steps:
 * <ol>
 *   <li>{@code versions/V} exists: identical params.bin (SHA-256) and current, or promoted once before
 *       (marker {@code _PROMOTED}) → nothing to do (exit 11; a stale re-run never rolls back);
 *       different params → refused (exit 2); identical, never promoted → gate again (no copy);</li>
 *   <li>evaluate candidate and current on the same {@code --validation} data (each read with its own
 *       training config's data format and scaled with its own scaler);</li>
 *   <li>worse than current by more than {@code --tolerance} on {@code --metric} → exit 10, store unchanged;</li>
 *   <li>else copy into {@code versions/V} (temp + rename), point {@code current} at V (atomic rename),
 *       delete versions beyond {@code --keep} (never current), and with {@code --move} delete the candidate.</li>
 * </ol>
 * {@code --status} only prints {@code current=}, {@code version=present|absent} and (with --candidate)
 * {@code candidate=present|absent} lines (scripts/retrain.sh uses it) and exits 0.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Gate a candidate model against the current one and promote it in a model store.",
                "Exit codes: 0 promoted, 10 rejected by the gate, 11 already published (no-op), 2 usage, "
                        + "3 data/input, 4 store failure."})
public final class PublishCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--store", required = true, paramLabel = "URI", description = "Model store root (any Hadoop filesystem).")
    String store;

    @Option(names = "--name", required = true, description = "Model name: the store holds <store>/<name>/versions/*.")
    String name;

    @Option(names = "--version", paramLabel = "ID", description = "Version id (default: UTC now, yyyyMMdd'T'HHmmss'Z').")
    String version;

    @Option(names = "--candidate", paramLabel = "MODEL_DIR", description = "The trained model directory to publish.")
    String candidate;

    @Option(names = "--validation", paramLabel = "PATH", description = "Data both models are evaluated on (format of each model's training config).")
    String validation;

    @Option(names = "--metric", defaultValue = "accuracy", description = "accuracy | auc | r2 (higher is better), loss | rmse (lower is better). Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(names = "--tolerance", defaultValue = "0.0", description = "Allowed worsening of the metric vs current. Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--keep", defaultValue = "5", description = "Keep this many newest versions (current always kept; 0 = all). Default: ${DEFAULT-VALUE}.")
    int keep;

    @Option(names = "--move", description = "Delete the candidate directory after a successful promotion.")
    boolean move;

    @Option(names = "--status", description = "Only print current=, version= and candidate= lines and exit 0.")
    boolean status;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return publish(out, err);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (ModelFormatException | InputDataException e) {
            err.println("data error: " + e.getMessage());
            return ExitCodes.DATA;
        } catch (IOException e) {
            err.println("publish failed: " + e.getMessage());
            return ExitCodes.TRAINING;
        } catch (RuntimeException e) { // e.g. a Spark failure while gating: the one mapping of Failures
            return Failures.report(err, e);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int publish(PrintWriter out, PrintWriter err) throws IOException {
        String v = version != null ? version : ModelRegistry.timestampVersion(Instant.now());
        ModelRegistry.checkVersion(v);
        if (tolerance < 0 || !Double.isFinite(tolerance)) throw new IllegalArgumentException("--tolerance must be >= 0");
        if (keep < 0) throw new IllegalArgumentException("--keep must be >= 0");
        Gate gate = Gate.parse(metric);
        Configuration hconf = new Configuration();
        ModelRegistry reg = new ModelRegistry(hconf, store, name);
        Optional<String> current = reg.current();
        Path target = reg.versionDir(v);
        if (status) {
            out.println("current=" + current.orElse(""));
            out.println("version=" + (reg.exists(target) ? "present" : "absent"));
            if (candidate != null) {
                Path c = new Path(candidate);
                out.println("candidate=" + (c.getFileSystem(hconf).exists(new Path(c, ModelStore.METADATA)) ? "present" : "absent"));
            }
            return ExitCodes.OK;
        }
        if (candidate == null || validation == null) {
            throw new IllegalArgumentException("publish needs --candidate MODEL_DIR and --validation PATH");
        }
        // one publisher per model name at a time; holding it, every temp copy in the store is a dead publish's
        try (ModelLease lease = ModelLease.acquire(hconf, reg.root().toString())) {
            var cleaned = reg.cleanUp(v);
            if (!cleaned.isEmpty()) out.println("removed leftovers of earlier publishes: " + cleaned);
            return gateAndPromote(out, reg, gate, current, target, v, hconf);
        }
    }

    private int gateAndPromote(PrintWriter out, ModelRegistry reg, Gate gate, Optional<String> current, Path target,
                               String v, Configuration hconf) throws IOException {
        SavedModel cand = ModelStore.load(hconf, candidate);
        String sha = reg.paramsSha(new Path(candidate));
        boolean present = reg.exists(target);
        if (present) {
            String have = reg.paramsSha(target);
            if (!have.equals(sha)) {
                throw new IllegalArgumentException("version " + v + " already exists in " + reg.root()
                        + " with other parameters (params.bin SHA-256 " + have + ", candidate " + sha
                        + "); choose another --version");
            }
            if (current.isPresent() && current.get().equals(v)) {
                out.println("already published: " + v + " is current in " + reg.root() + " with identical parameters; "
                        + "nothing changed");
                return ExitCodes.ALREADY_PUBLISHED;
            }
            if (reg.wasPromoted(v)) {
                out.println("already published: " + v + " was promoted earlier in " + reg.root() + " and "
                        + current.map(c -> c + " has replaced it").orElse("no version is current now")
                        + "; nothing changed (a re-run never rolls current back; to roll back, publish that version's"
                        + " model under a new --version)");
                return ExitCodes.ALREADY_PUBLISHED;
            }
        }
        Map<String, Double> candMetrics;
        Map<String, Double> curMetrics = null;
        try (SparkSessions.Handle spark = SparkSessions.start(new SparkSettings(null, "descent-publish", Map.of()))) {
            candMetrics = GateEvaluation.evaluate(spark.session(), cand, validation, "candidate " + candidate);
            if (current.isPresent() && !current.get().equals(v)) {
                SavedModel cur = ModelStore.load(hconf, reg.versionDir(current.get()).toString());
                curMetrics = GateEvaluation.evaluate(spark.session(), cur, validation, "current version " + current.get());
            }
        }
        double c = gate.value(candMetrics, "the candidate");
        String line;
        if (curMetrics != null) {
            double r = gate.value(curMetrics, "the current version " + current.get());
            line = String.format(Locale.ROOT, "%s: candidate %s %.6f, current %s %.6f, tolerance %s", gate.configName(),
                    v, c, current.get(), r, tolerance);
            if (!gate.passes(c, r, tolerance)) {
                out.println("rejected by the gate: " + line + "; " + reg.root() + " unchanged (current stays "
                        + current.get() + ")");
                return ExitCodes.GATE_REJECTED;
            }
        } else {
            line = String.format(Locale.ROOT, "%s: candidate %s %.6f, no current version", gate.configName(), v, c);
        }
        if (!present) reg.addVersion(new Path(candidate), v, sha, candMetrics);
        reg.setCurrent(v);
        reg.markPromoted(v);
        var deleted = reg.retain(keep);
        if (move && !new Path(candidate).getFileSystem(hconf).makeQualified(new Path(candidate)).equals(target)) {
            new Path(candidate).getFileSystem(hconf).delete(new Path(candidate), true);
        }
        out.println("promoted: " + line + "; current -> " + v + (deleted.isEmpty() ? "" : "; deleted old versions " + deleted));
        return ExitCodes.OK;
    }
}
