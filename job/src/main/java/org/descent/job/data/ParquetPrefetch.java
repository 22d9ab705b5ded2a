package org.descent.job.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Parses the Parquet row groups of a local-mode run ahead, on one driver thread, while the Spark session starts (issue
 * 17: the session start is mostly one thread of class loading; the parse is the read phase's CPU; 2 cores). The read's
 * tasks run in the same JVM and take what is ready ({@link ParquetRowGroups#parseSplits}): each row group is parsed
 * exactly once, by whoever claims it first (an atomic flag per row group), with the same code
 * ({@link ParquetRowGroups#group}) and the same parser settings, so the chunks, row ids and blocks are the same bits as
 * without it. A task that finds its row group being parsed here waits for it; one that finds it failed here parses it
 * itself, so every error (bad file, missing file, unsupported layout) is raised and reported by the read as before.
 *
 * <p>Held reads ({@link PrefetchPlan#hold}): when every row group ends up parsed on the driver (by this thread, and by the read's
 * own thread for the ones this one has not reached), the read takes the validation statistics from the chunks here and
 * runs no parse job at all; its blocks' tasks take the held chunks until the read releases them (issue 17: the job, its
 * first-job costs and the SQL session state it needed were most of the read's second once the rows were parsed ahead).
 *
 * <p>What it reads: the array layout {@link ParquetRowGroups} reads (label and element types taken from the first
 * file's footer: INT32/INT64/FLOAT/DOUBLE without annotation, as Spark maps them). The read takes the chunks only when
 * its {@link PrefetchKey} (path, columns and Spark types, parser settings) equals the prefetch's; otherwise the prefetch of that
 * path stops and the tasks parse everything, as without it.
 *
 * <p>Call order: {@link #start} (before the Spark session), the read ({@link ParquetSource#open} calls {@link #surveyed},
 * then {@link DataLoader} {@link ParquetRowGroups.Reads#hold}), then {@link #close} (idempotent; also on every failure): it stops the thread
 * after its current row (joins it) and drops whatever no task took. Nothing here outlives the close (no thread, no open
 * file, no chunk) but a held read's chunks, until that read's release.
 */
public final class ParquetPrefetch implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ParquetPrefetch.class);
    /** Open plans by token (the tasks' look-up, same JVM) and by path (the read's). */
    private static final ConcurrentHashMap<String, PrefetchPlan> BY_TOKEN = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, PrefetchPlan> BY_PATH = new ConcurrentHashMap<>();

    private final List<PrefetchPlan> plans = new ArrayList<>();
    private final Configuration conf;
    private final Thread thread;
    private final long started = System.nanoTime();
    private volatile long finished;
    private volatile boolean closed;

    /** Thrown inside a row group's parse when the prefetch is closed: the row group is left to its task. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("prefetch closed", null, false, false);
        }
    }

    /** A row group: its file (as {@code _metadata.file_path} names it), its index in the file's footer, its first row. */
    record Group(String file, int index, long firstRow) implements Serializable {}

    private ParquetPrefetch(List<DataSpec> specs, Configuration conf) {
        this.conf = conf;
        java.util.Set<String> planned = new java.util.HashSet<>();
        for (DataSpec spec : specs) {
            // the same path twice (validation = training): one plan, or the first would be parsed for nothing
            if (!planned.add(spec.path())) continue;
            PrefetchPlan p = new PrefetchPlan(spec, conf);
            plans.add(p);
            BY_TOKEN.put(p.token, p);
            BY_PATH.put(spec.path(), p);
        }
        thread = new Thread(this::run, "descent-parquet-prefetch");
        thread.setDaemon(true);
    }

    /**
     * Starts parsing {@code specs}' row groups in order (Parquet with a features column and no id column; others are
     * skipped), reading them with {@code conf}.
     */
    public static ParquetPrefetch start(List<DataSpec> specs, Configuration conf) {
        List<DataSpec> arrays = new ArrayList<>();
        for (DataSpec s : specs) {
            if (s.format() == DataFormat.PARQUET && s.featuresColumn() != null && !s.featuresColumn().isBlank()
                    && (s.idColumn() == null || s.idColumn().isBlank())) {
                arrays.add(s);
            }
        }
        ParquetPrefetch p = new ParquetPrefetch(arrays, conf);
        if (!arrays.isEmpty()) p.thread.start();
        return p;
    }

    /**
     * The plan of a read of {@code spec} whose files the prefetch surveyed and whose layout it takes ({@link PrefetchKey}: the
     * array layout, plain number types, the same parser settings), or null (no plan, another layout, or stopped).
     * Waits for the survey (a listing and a footer, done first thing while the session starts).
     */
    static PrefetchPlan surveyed(DataSpec spec, boolean scoring) {
        PrefetchPlan p = BY_PATH.get(spec.path());
        PrefetchKey k = p == null ? null : p.known.join();
        if (k == null || p.stopped) return null;
        if (PrefetchKey.of(k.cols(), spec, scoring).equals(k)) return p;
        p.stopped = true;
        LOG.info("prefetch of {}: not used (read with other settings than {})", spec.path(), k);
        return null;
    }

    /** Forgets {@code p} (its drop): no read matches it, no task finds it. */
    static void forget(PrefetchPlan p) {
        BY_TOKEN.remove(p.token, p);
        BY_PATH.remove(p.spec.path(), p);
    }

    /** A task's look-up of its plan (null once the prefetch is closed). */
    static PrefetchPlan plan(String token) {
        return BY_TOKEN.get(token);
    }

    /** E.g. "7 of 7 row groups parsed ahead in 3.1 s": for the start-up line. */
    public String summary() {
        int ahead = 0;
        int taken = 0;
        int groups = 0;
        for (PrefetchPlan p : plans) {
            ahead += p.ahead.get();
            taken += p.taken.get();
            groups += p.slots.size();
        }
        int helped = 0;
        for (PrefetchPlan p : plans) helped += p.helped.get();
        long end = finished == 0 ? System.nanoTime() : finished;
        return String.format(Locale.ROOT, "%d of %d row groups parsed ahead in %.2f s%s, %d of them taken", ahead, groups,
                (end - started) / 1e9, helped == 0 ? "" : " (" + helped + " more by the read)", taken);
    }

    /** How many of this prefetch's inputs a task can still find (not dropped: open, or held by a read). */
    int plansOpen() {
        return (int) plans.stream().filter(p -> BY_TOKEN.get(p.token) == p).count();
    }

    /** Waits up to {@code millis} for the thread to finish every row group it can; true when it has. */
    boolean awaitDone(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        boolean interrupted = false;
        while (thread.isAlive()) { // stops after its current row (Stopped), closing its file
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (PrefetchPlan p : plans) {
            BY_PATH.remove(p.spec.path(), p); // no later read matches it
            p.close();
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void run() {
        try {
            for (PrefetchPlan p : plans) survey(p); // every input's layout first: its read waits for it (match, schema)
            for (PrefetchPlan p : plans) {
                if (closed) break;
                if (p.key == null) continue;
                try {
                    prefetch(p);
                } catch (Stopped e) { // this plan was stopped (e.g. its settings did not match the read's)
                    if (closed) break; // or the whole prefetch: then nothing more is wanted; else the next plan goes on
                } catch (Exception e) { // the read itself reports whatever is wrong with the input
                    p.stopped = true;
                    LOG.info("prefetch of {}: stopped ({}); the read parses the rest", p.spec.path(), e.toString());
                }
            }
        } finally {
            for (PrefetchPlan p : plans) p.known.complete(null); // no-op when surveyed
            finished = System.nanoTime();
        }
    }

    /** The plan's files and the layout of the first one's footer ({@link PrefetchPlan#key}; null: none, or not that layout). */
    private void survey(PrefetchPlan p) {
        try {
            List<FileStatus> files = InputPaths.sparkIndexFiles(conf, p.spec.path());
            if (files == null) return; // the finally completes the survey without a layout
            p.files = files;
            FileStatus st = files.stream().filter(f -> f.getLen() > 0).findFirst().orElse(null);
            if (st != null) {
                try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(st, conf),
                        HadoopReadOptions.builder(conf, st.getPath()).build())) {
                    p.key = PrefetchKey.of(p.spec, reader.getFooter().getFileMetaData().getSchema());
                }
            }
        } catch (Exception e) { // the read itself reports whatever is wrong with the input
            LOG.info("prefetch of {}: not started ({})", p.spec.path(), e.toString());
        } finally {
            p.known.complete(p.key);
        }
    }

    /** Parses the plan's row groups in file order that no task has claimed. */
    private void prefetch(PrefetchPlan p) throws IOException {
        PrefetchPlan.parseUnclaimed(p, () -> closed || p.stopped, p.ahead, true);
    }

}
