package org.descent.job.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.descent.job.train.EpochListener;
import org.descent.job.train.EpochReport;

/**
 * Keeps a training run's directory (any Hadoop filesystem, e.g. {@code <model-path>.run}):
 * <pre>
 * config.conf     the resolved HOCON of the run (written by {@link #start})
 * metrics.jsonl   one {@link EpochRecord} per finished epoch
 * report.html     {@link HtmlReport} of the same records
 * </pre>
 * Both files are rewritten after every epoch, each atomically ({@link AtomicFiles}); a rerun into the
 * same directory replaces them. A failure to write the run directory is logged, never fatal to training.
 */
public final class RunRecorder implements EpochListener {
    public static final String CONFIG = "config.conf";
    public static final String METRICS = "metrics.jsonl";
    public static final String REPORT = "report.html";
    private static final Logger LOG = LogManager.getLogger(RunRecorder.class);

    private final FileSystem fs;
    private final Path dir;
    private final String title;
    private final String subtitle;
    private final Clock clock;
    private final List<EpochRecord> records = new ArrayList<>();
    private boolean broken;

    private RunRecorder(FileSystem fs, Path dir, String title, String subtitle, Clock clock) {
        this.fs = fs;
        this.dir = dir;
        this.title = title;
        this.subtitle = subtitle;
        this.clock = clock;
    }

    /**
     * Creates the directory and writes {@code config.conf}; fails (IOException) when the directory
     * cannot be created, so a bad {@code output.run-dir} stops the run before Spark work starts.
     */
    public static RunRecorder start(Configuration conf, String runDir, String resolvedConfig, String title,
                                    String subtitle) throws IOException {
        Path dir = new Path(runDir);
        FileSystem fs = org.descent.job.model.ModelStore.unchecked(dir.getFileSystem(conf)); // no .crc sidecars
        dir = fs.makeQualified(dir);
        if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
            throw new IOException("run directory " + dir + " exists and is not a directory");
        }
        if (!fs.mkdirs(dir)) throw new IOException("cannot create run directory " + dir);
        RunRecorder r = new RunRecorder(fs, dir, title, subtitle, Clock.systemUTC());
        AtomicFiles.write(fs, new Path(dir, CONFIG), resolvedConfig.getBytes(StandardCharsets.UTF_8));
        r.records.clear();
        r.flush(); // an empty metrics.jsonl and a "no epoch yet" report replace those of an earlier run
        return r;
    }

    public Path directory() {
        return dir;
    }

    public List<EpochRecord> records() {
        return List.copyOf(records);
    }

    /** A resumed run: the epochs an earlier process finished come first in metrics.jsonl and report.html. */
    @Override
    public void onHistory(List<EpochReport> completed) {
        records.clear();
        // each epoch's optimizer step count is (epoch + 1) * steps per epoch, which onStart tells next
        for (EpochReport r : completed) records.add(record(r, 0));
    }

    @Override
    public void onStart(int epochs, int stepsPerEpoch, long trainRows) {
        if (records.isEmpty()) return;
        List<EpochRecord> history = new ArrayList<>();
        for (EpochRecord r : records) history.add(r.withStep((long) r.epoch() * stepsPerEpoch));
        records.clear();
        records.addAll(history);
        flush();
    }

    @Override
    public void onEpoch(EpochReport report, Map<String, Double> metrics, double[] params, long globalStep) {
        records.add(record(report, globalStep));
        flush();
    }

    private static EpochRecord record(EpochReport r, long globalStep) {
        return new EpochRecord(r.epoch() + 1, globalStep, r.finishedAt(), r.elapsedSeconds(), r.seconds(),
                r.trainSeconds(), r.validationSeconds(), r.trainLoss(), r.lastLearningRate(), r.lastGradNorm(),
                r.rowsPerSecond(), EpochRecord.validationOf(r.metrics()));
    }

    private void flush() {
        if (broken) return;
        try {
            StringBuilder jsonl = new StringBuilder();
            for (EpochRecord r : records) jsonl.append(r.toJsonLine()).append('\n');
            AtomicFiles.write(fs, new Path(dir, METRICS), jsonl.toString().getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(fs, new Path(dir, REPORT),
                    HtmlReport.render(title, subtitle, records).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            broken = true;
            LOG.warn("cannot write the run directory {} ({}); training continues without it", dir, e.toString());
        }
    }
}
