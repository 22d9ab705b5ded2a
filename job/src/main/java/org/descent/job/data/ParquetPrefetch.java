package org.descent.job.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
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
 * <p>Held reads ({@link Plan#hold}): when every row group ends up parsed on the driver (by this thread, and by the read's
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
    private static final ConcurrentHashMap<String, Plan> BY_TOKEN = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Plan> BY_PATH = new ConcurrentHashMap<>();

    private final List<Plan> plans = new ArrayList<>();
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

    /** One input's row groups: by (file, first row), who parses each and what the prefetch parsed. */
    static final class Plan {
        private final String token = UUID.randomUUID().toString();
        private final DataSpec spec;
        private final Configuration conf;
        /** The layout of the files (set by the survey before {@link #known} completes), or null. */
        private volatile PrefetchKey key;
        private volatile List<FileStatus> files;
        /** Completed (with {@link #key}) once the thread surveyed the files, or with null when it ends or is closed. */
        private final CompletableFuture<PrefetchKey> known = new CompletableFuture<>();
        private volatile boolean stopped;
        private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
        private final AtomicInteger ahead = new AtomicInteger();
        private final AtomicInteger taken = new AtomicInteger();
        /** Row groups the read's own thread parsed in {@link #hold}. */
        private final AtomicInteger helped = new AtomicInteger();
        /** Reads holding the chunks ({@link #hold}, {@link #release}); guarded by this plan. */
        private int holds;
        /** Set once the chunks are dropped (closed without a hold, or the last hold released); guarded by this plan. */
        private boolean dropped;
        /** Set by the prefetch's close; guarded by this plan. */
        private boolean closed;

        Plan(DataSpec spec, Configuration conf) {
            this.spec = spec;
            this.conf = conf;
        }

        String token() {
            return token;
        }

        PrefetchKey key() {
            return key;
        }

        /** The input's files as Spark's file index lists them (the survey's listing). */
        List<FileStatus> files() {
            return files;
        }

        /**
         * A task's row group: null when the task is to parse it (it claimed it first, or the prefetch's parse failed or
         * was stopped), else the chunks the prefetch parsed (waiting for them while it parses).
         */
        List<ParsedChunk> take(String file, long firstRow) {
            Slot s = slots.computeIfAbsent(file + '\u0000' + firstRow, k -> new Slot());
            if (s.claimed.compareAndSet(false, true)) {
                s.done.countDown(); // a second claim of this row group (a retried task) parses it too
                return null;
            }
            try {
                s.done.await();
            } catch (InterruptedException e) { // the task is being killed
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for row " + firstRow + " of " + file, e);
            }
            if (held()) return s.chunks.get(); // every task that asks, until the read releases them
            List<ParsedChunk> chunks = s.chunks.getAndSet(null);
            if (chunks != null) taken.incrementAndGet();
            return chunks;
        }

        private synchronized boolean held() {
            return holds > 0;
        }

        /**
         * Every row group of the plan parsed on the driver and held for the read: each row group's chunks, in file and
         * row order, or null. With {@code help} the calling thread (the read's) parses the row groups nobody has claimed
         * yet, beside the prefetch thread; either way it waits for those the prefetch is parsing. The read then needs no
         * parse job (local mode: its tasks would run in this JVM and mostly take these). Null when a row group is left
         * (without help), failed or was stopped here, has no row index, or the plan was dropped: the read's tasks then
         * take what is here and parse (and report) the rest, as without a hold. Held chunks are given to every task that
         * asks ({@link #take}) until {@link #release}.
         */
        LinkedHashMap<Group, List<ParsedChunk>> hold(boolean help) {
            synchronized (this) {
                if (dropped || stopped) return null;
                holds++; // from here the prefetch's close leaves the chunks to this read
            }
            LinkedHashMap<Group, List<ParsedChunk>> out = null;
            try {
                LinkedHashMap<Group, Slot> all = parseUnclaimed(this, () -> stopped, helped, help);
                if (all == null) return null;
                LinkedHashMap<Group, List<ParsedChunk>> chunks = new LinkedHashMap<>();
                for (var e : all.entrySet()) {
                    e.getValue().done.await();
                    List<ParsedChunk> c = e.getValue().chunks.get();
                    if (c == null) return null;
                    chunks.put(e.getKey(), c);
                }
                taken.set(all.size());
                out = chunks;
                return out;
            } catch (InterruptedException e) { // the read is being cancelled
                Thread.currentThread().interrupt();
                return null;
            } catch (Exception e) { // the read's tasks parse this row group again and report what is wrong with it
                stopped = true;
                LOG.info("prefetch of {}: the read's parse stopped ({}); its tasks parse the rest", spec.path(), e.toString());
                return null;
            } finally {
                if (out == null) release();
            }
        }

        /**
         * Ends one {@link #hold} (also a failed one). After the last, once the prefetch is closed, the chunks are dropped
         * and tasks parse their row groups themselves; before the close (a hold that found a row group left) the plan
         * stays as it was, for the read's tasks to take what the prefetch parsed.
         */
        void release() {
            synchronized (this) {
                if (--holds > 0 || !closed) return;
            }
            drop();
        }

        /** The prefetch's close: drops the plan unless a read holds it (then that read's release does). */
        private void close() {
            synchronized (this) {
                closed = true;
                if (holds > 0) return;
            }
            drop();
        }

        /** Forgets the plan: no read matches it, no task finds it, its chunks are free. */
        private void drop() {
            synchronized (this) {
                dropped = true;
                stopped = true;
            }
            BY_TOKEN.remove(token, this);
            BY_PATH.remove(spec.path(), this);
            slots.values().forEach(s -> s.chunks.set(null));
        }
    }

    /** A row group: claimed by whoever parses it; done once the prefetch's chunks (or null) are set. */
    private static final class Slot {
        final AtomicBoolean claimed = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<List<ParsedChunk>> chunks = new AtomicReference<>();
    }

    private ParquetPrefetch(List<DataSpec> specs, Configuration conf) {
        this.conf = conf;
        java.util.Set<String> planned = new java.util.HashSet<>();
        for (DataSpec spec : specs) {
            // the same path twice (validation = training): one plan, or the first would be parsed for nothing
            if (!planned.add(spec.path())) continue;
            Plan p = new Plan(spec, conf);
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
    static Plan surveyed(DataSpec spec, boolean scoring) {
        Plan p = BY_PATH.get(spec.path());
        PrefetchKey k = p == null ? null : p.known.join();
        if (k == null || p.stopped) return null;
        if (PrefetchKey.of(k.cols(), spec, scoring).equals(k)) return p;
        p.stopped = true;
        LOG.info("prefetch of {}: not used (read with other settings than {})", spec.path(), k);
        return null;
    }

    /** A task's look-up of its plan (null once the prefetch is closed). */
    static Plan plan(String token) {
        return BY_TOKEN.get(token);
    }

    /** E.g. "7 of 7 row groups parsed ahead in 3.1 s": for the start-up line. */
    public String summary() {
        int ahead = 0;
        int taken = 0;
        int groups = 0;
        for (Plan p : plans) {
            ahead += p.ahead.get();
            taken += p.taken.get();
            groups += p.slots.size();
        }
        int helped = 0;
        for (Plan p : plans) helped += p.helped.get();
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
        for (Plan p : plans) {
            BY_PATH.remove(p.spec.path(), p); // no later read matches it
            p.close();
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void run() {
        try {
            for (Plan p : plans) survey(p); // every input's layout first: its read waits for it (match, schema)
            for (Plan p : plans) {
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
            for (Plan p : plans) p.known.complete(null); // no-op when surveyed
            finished = System.nanoTime();
        }
    }

    /** The plan's files and the layout of the first one's footer ({@link Plan#key}; null: none, or not that layout). */
    private void survey(Plan p) {
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
    private void prefetch(Plan p) throws IOException {
        parseUnclaimed(p, () -> closed || p.stopped, p.ahead, true);
    }

    /**
     * The loop of the prefetch thread and of {@link Plan#hold}: parses, in file order, the plan's row groups nobody has
     * claimed (counting them in {@code parsed}), with the prefetch's configuration and the plan's parser. Returns every
     * row group's slot in file and row order (parsed here or elsewhere), or null when {@code stop} said so, a row
     * group has no row index (only tasks read those) or, not to {@code claim}, nobody has claimed a row group.
     */
    private static LinkedHashMap<Group, Slot> parseUnclaimed(Plan p, BooleanSupplier stop,
                                                                      AtomicInteger parsed, boolean claim)
            throws IOException {
        ParquetParser parser = p.key.parser();
        LinkedHashMap<Group, Slot> all = new LinkedHashMap<>();
        for (FileStatus st : p.files) {
            String file = ParquetRowGroups.filePath(st.getPath());
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(st, p.conf),
                    HadoopReadOptions.builder(p.conf, st.getPath()).build())) {
                for (int g = 0; g < reader.getRowGroups().size(); g++) {
                    BlockMetaData b = reader.getRowGroups().get(g);
                    if (b.getRowCount() == 0) continue;
                    if (b.getRowIndexOffset() < 0 || stop.getAsBoolean()) return null;
                    Slot s = p.slots.computeIfAbsent(file + '\u0000' + b.getRowIndexOffset(), k -> new Slot());
                    all.put(new Group(file, g, b.getRowIndexOffset()), s);
                    if (!claim) {
                        if (s.claimed.get()) continue;
                        return null;
                    }
                    if (!s.claimed.compareAndSet(false, true)) continue; // parsed (or being parsed) elsewhere
                    try {
                        s.chunks.set(ParquetRowGroups.group(reader, file, g, p.key.cols(), parser, p.key.failFast(), stop));
                        parsed.incrementAndGet();
                    } finally {
                        s.done.countDown();
                    }
                }
            }
        }
        return all;
    }
}
