package org.descent.job.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.Progressable;
import org.descent.job.train.EpochReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run directory across a run: metrics.jsonl holds every finished epoch after each epoch (appended line by line,
 * or rewritten where the filesystem cannot append), report.html is re-rendered at a bounded rate and is final after
 * {@link RunRecorder#finish()}; a resume rewrites a torn tail away. A stepped clock, no Spark; well under a second.
 */
class RunRecorderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    java.nio.file.Path tmp;

    /** A clock the test moves by hand. */
    static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** The local filesystem without append, as on object stores. */
    static final class NoAppendFs extends FilterFileSystem {
        NoAppendFs() throws IOException {
            super(new RawLocalFileSystem());
            initialize(java.net.URI.create("file:///"), new Configuration());
        }

        @Override
        public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) {
            throw new UnsupportedOperationException("append");
        }
    }

    static EpochReport report(int epoch, int epochs) {
        double loss = 1.0 / (epoch + 1);
        return new EpochReport(epoch, epochs, loss, loss + 0.1, 0.5 + 0.01 * epoch, "accuracy", 0.01, 0.009, 0.001,
                1000, 0.05, 1.5, Map.of("trainLoss", loss, "validationLoss", loss + 0.1,
                "validationAccuracy", 0.5 + 0.01 * epoch), Instant.parse("2026-01-01T00:00:00Z"), epoch);
    }

    private static FileSystem localFs() throws IOException {
        RawLocalFileSystem fs = new RawLocalFileSystem();
        fs.initialize(java.net.URI.create("file:///"), new Configuration());
        return fs;
    }

    private List<String> metricsLines(java.nio.file.Path run) throws IOException {
        String text = Files.readString(run.resolve(RunRecorder.METRICS));
        assertTrue(text.isEmpty() || text.endsWith("\n"), "no torn last line: " + text);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private static int epochsInReport(String html) {
        int n = 0;
        while (html.contains("<tr><td>" + (n + 1) + "</td>")) n++;
        return n;
    }

    /** Runs {@code epochs} epochs, {@code secondsPerEpoch} apart, checking metrics.jsonl after each. */
    private List<Integer> run(FileSystem fs, java.nio.file.Path run, StepClock clock, int epochs, double secondsPerEpoch)
            throws Exception {
        RunRecorder r = RunRecorder.start(fs, new Path(run.toUri()), "a = 1", "t", "s", clock);
        r.onStart(epochs, 10, 640);
        List<Integer> reportEpochs = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            clock.now = clock.now.plusMillis((long) (secondsPerEpoch * 1000));
            r.onEpoch(report(e, epochs), Map.of(), new double[0], (e + 1) * 10L);
            List<String> lines = metricsLines(run);
            assertEquals(e + 1, lines.size(), "every finished epoch is in metrics.jsonl: " + lines);
            for (int i = 0; i <= e; i++) {
                assertEquals(i + 1, JSON.readTree(lines.get(i)).get("epoch").asInt(), lines.get(i));
                assertEquals((i + 1) * 10L, JSON.readTree(lines.get(i)).get("step").asLong(), lines.get(i));
            }
            reportEpochs.add(epochsInReport(Files.readString(run.resolve(RunRecorder.REPORT))));
        }
        r.finish();
        assertEquals(epochs, epochsInReport(Files.readString(run.resolve(RunRecorder.REPORT))), "final report.html");
        r.finish(); // idempotent
        assertEquals(epochs, metricsLines(run).size());
        return reportEpochs;
    }

    @Test
    void givenFastEpochs_whenRecorded_thenEveryEpochIsAppendedAndTheReportIsRenderedAtABoundedRateAndAtTheEnd()
            throws Exception {
        // Given 50 epochs of 0.1 s each (5 s of run) on the local filesystem
        java.nio.file.Path run = tmp.resolve("run");
        // When they are recorded; Then metrics.jsonl grows by one line per epoch (checked in run)
        List<Integer> shown = run(localFs(), run, new StepClock(), 50, 0.1);
        // and report.html was re-rendered only once the interval had passed (epoch 50 at 5.0 s), then by finish
        long renders = shown.stream().distinct().count();
        assertTrue(renders <= 2, "report.html rendered at most every 5 s: " + shown);
        assertEquals(0, shown.get(0), "not re-rendered after epoch 1 (0.1 s after start)");
        assertEquals(50, shown.get(49), "rendered once 5 s had passed");
        assertEquals(Duration.ofSeconds(5), RunRecorder.REPORT_INTERVAL);
    }

    @Test
    void givenSlowEpochs_whenRecorded_thenTheReportFollowsEveryEpoch() throws Exception {
        // Given epochs of 6 s each; When recorded; Then each epoch's report already shows it
        List<Integer> shown = run(localFs(), tmp.resolve("run"), new StepClock(), 4, 6);
        assertEquals(List.of(1, 2, 3, 4), shown);
    }

    @Test
    void givenAFilesystemWithoutAppend_whenRecorded_thenMetricsAreRewrittenWholeAndNothingIsLost() throws Exception {
        // Given a filesystem whose append is unsupported; When 7 epochs are recorded; Then all 7 lines are there
        java.nio.file.Path run = tmp.resolve("run");
        run(new NoAppendFs(), run, new StepClock(), 7, 0.1);
        try (var files = Files.list(run)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temp files left");
        }
    }

    @Test
    void givenATornLastLineFromAKilledRun_whenResumed_thenMetricsAreRewrittenFromTheHistory() throws Exception {
        // Given a run directory whose metrics.jsonl ends in half a line
        java.nio.file.Path run = tmp.resolve("run");
        StepClock clock = new StepClock();
        RunRecorder first = RunRecorder.start(localFs(), new Path(run.toUri()), "a = 1", "t", "s", clock);
        first.onEpoch(report(0, 3), Map.of(), new double[0], 10);
        Files.writeString(run.resolve(RunRecorder.METRICS), "{\"epoch\":2,\"st", java.nio.file.StandardOpenOption.APPEND);

        // When a resumed process starts with the checkpoint's two epochs and runs the third
        RunRecorder resumed = RunRecorder.start(localFs(), new Path(run.toUri()), "a = 1", "t", "s", clock);
        resumed.onHistory(List.of(report(0, 3), report(1, 3)));
        resumed.onStart(3, 10, 640);
        resumed.onEpoch(report(2, 3), Map.of(), new double[0], 30);
        resumed.finish();

        // Then metrics.jsonl holds exactly epochs 1..3 with their step counts, and the report all three
        List<String> lines = metricsLines(run);
        assertEquals(3, lines.size(), lines.toString());
        for (int i = 0; i < 3; i++) assertEquals((i + 1) * 10L, JSON.readTree(lines.get(i)).get("step").asLong());
        assertEquals(3, epochsInReport(Files.readString(run.resolve(RunRecorder.REPORT))));
    }
}
