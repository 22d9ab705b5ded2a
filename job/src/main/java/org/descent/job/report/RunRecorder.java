package org.descent.job.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
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
 * Cost per epoch is one line: {@code metrics.jsonl} is replaced whole (temp file + rename, {@link AtomicFiles}) only
 * by {@link #start} and a resume's {@link #onStart}, and after that each epoch appends its line with one write and
 * one flush, so a reader sees every finished epoch and never a half line (a process killed mid-run loses no
 * finished epoch; a line torn by a machine crash is repaired by the next run or resume, which rewrites the file from
 * the checkpoint's history). Where the filesystem cannot append (object stores), every epoch rewrites the file
 * whole, as before. {@code report.html} is re-rendered (atomically) at most every {@link #REPORT_INTERVAL} while
 * training, and always by {@link #finish()}, which the caller runs once training ends, normally or not.
 * Call order: {@link #start}, the {@link EpochListener} calls, {@link #finish()}. A failure to write the run
 * directory is logged, never fatal to training; a rerun into the same directory replaces both files.
 */
public final class RunRecorder implements EpochListener, AutoCloseable {
    public static final String CONFIG = "config.conf";
    public static final String METRICS = "metrics.jsonl";
    public static final String REPORT = "report.html";
    /** The shortest time between two renderings of {@code report.html} during training. */
    public static final Duration REPORT_INTERVAL = Duration.ofSeconds(5);
    private static final Logger LOG = LogManager.getLogger(RunRecorder.class);

    private final FileSystem fs;
    private final Path dir;
    private final String title;
    private final String subtitle;
    private final Clock clock;
    private final List<EpochRecord> records = new ArrayList<>();
    private boolean broken;
    private boolean canAppend = true;
    private boolean reportStale;
    private long reportWrittenAt;

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
        return start(fs, dir, resolvedConfig, title, subtitle, Clock.systemUTC());
    }

    /** {@link #start(Configuration, String, String, String, String)} on a given filesystem and clock. */
    static RunRecorder start(FileSystem fs, Path runDir, String resolvedConfig, String title, String subtitle,
                             Clock clock) throws IOException {
        Path dir = fs.makeQualified(runDir);
        if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
            throw new IOException("run directory " + dir + " exists and is not a directory");
        }
        if (!fs.mkdirs(dir)) throw new IOException("cannot create run directory " + dir);
        RunRecorder r = new RunRecorder(fs, dir, title, subtitle, clock);
        AtomicFiles.write(fs, new Path(dir, CONFIG), resolvedConfig.getBytes(StandardCharsets.UTF_8));
        r.rewriteAll(); // an empty metrics.jsonl and a "no epoch yet" report replace those of an earlier run
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
        rewriteAll(); // also drops a line an earlier process may have torn
    }

    /** Appends the epoch's line to metrics.jsonl; re-renders report.html if it is older than the interval. */
    @Override
    public void onEpoch(EpochReport report, Map<String, Double> metrics, double[] params, long globalStep) {
        EpochRecord rec = record(report, globalStep);
        records.add(rec);
        reportStale = true;
        if (broken) return;
        try {
            appendMetrics(rec);
            if (clock.millis() - reportWrittenAt >= REPORT_INTERVAL.toMillis()) writeReport();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** Renders report.html if an epoch came after its last rendering. Idempotent; run it once training ends. */
    public void finish() {
        if (broken || !reportStale) return;
        try {
            writeReport();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** {@link #finish()}. */
    @Override
    public void close() {
        finish();
    }

    private static EpochRecord record(EpochReport r, long globalStep) {
        return new EpochRecord(r.epoch() + 1, globalStep, r.finishedAt(), r.elapsedSeconds(), r.seconds(),
                r.trainSeconds(), r.validationSeconds(), r.trainLoss(), r.lastLearningRate(), r.lastGradNorm(),
                r.rowsPerSecond(), EpochRecord.validationOf(r.metrics()));
    }

    /** One write of the whole line then one flush; falls back to rewriting the file where append is unsupported. */
    private void appendMetrics(EpochRecord rec) throws IOException {
        if (canAppend) {
            byte[] line = (rec.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8);
            try (FSDataOutputStream out = fs.append(new Path(dir, METRICS))) {
                out.write(line);
                out.hflush();
                return;
            } catch (UnsupportedOperationException e) {
                LOG.info("{} cannot append to {}; metrics.jsonl is rewritten after each epoch", fs.getUri(), dir);
                canAppend = false;
            } catch (IOException e) { // the rewrite below repairs whatever the failed append left
                LOG.info("cannot append to {} ({}); rewriting it", new Path(dir, METRICS), e.toString());
            }
        }
        writeMetrics();
    }

    private void writeMetrics() throws IOException {
        StringBuilder jsonl = new StringBuilder();
        for (EpochRecord r : records) jsonl.append(r.toJsonLine()).append('\n');
        AtomicFiles.write(fs, new Path(dir, METRICS), jsonl.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void writeReport() throws IOException {
        AtomicFiles.write(fs, new Path(dir, REPORT),
                HtmlReport.render(title, subtitle, records).getBytes(StandardCharsets.UTF_8));
        reportWrittenAt = clock.millis();
        reportStale = false;
    }

    private void rewriteAll() {
        if (broken) return;
        try {
            writeMetrics();
            writeReport();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void fail(Exception e) {
        broken = true;
        LOG.warn("cannot write the run directory {} ({}); training continues without it", dir, e.toString());
    }
}
