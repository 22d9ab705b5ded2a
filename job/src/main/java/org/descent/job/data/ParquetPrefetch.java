package org.descent.job.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Parses the Parquet row groups of a local-mode run ahead, on one driver thread, while the Spark session starts (issue
 * 17: the session start is mostly one thread of class loading; the parse is the read phase's CPU; 2 cores). The read's
 * tasks run in the same JVM and take what is ready ({@link ParquetRowGroups#parseSplits}): each row group is parsed
 * exactly once, by whoever claims it first (an atomic flag per row group), with the same code
 * ({@link ParquetRowGroups#group}) and the same parser settings, so the chunks, row ids and blocks are the same bits as
 * without it. A task that finds its row group being parsed here waits for it; one that finds it failed here parses it
 * itself, so every error (bad file, missing file, unsupported layout) is raised and reported by the read as before.
 *
 * <p>What it reads: the array layout {@link ParquetRowGroups} reads (label and element types taken from the first
 * file's footer: INT32/INT64/FLOAT/DOUBLE without annotation, as Spark maps them). The read takes the chunks only when
 * its {@link Key} (path, columns and Spark types, parser settings) equals the prefetch's; otherwise the prefetch of that
 * path stops and the tasks parse everything, as without it.
 *
 * <p>Call order: {@link #start} (before the Spark session), the read ({@link ParquetSource#open} calls {@link #match}),
 * then {@link #close} (idempotent; also on every failure): it stops the thread after its current row (joins it) and
 * drops whatever no task took. Nothing here outlives the close: no thread, no open file, no chunk.
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

    /**
     * What a read must match to take a plan's chunks: the input path, the columns with their Spark types, and every
     * setting of the parser ({@link #parser}) and of {@link Scan#chunks}.
     */
    record Key(String path, ParquetRowGroupReader.Columns cols, String labelName, int numFeatures, LabelType labelType,
               int numClasses, boolean scoring, boolean failFast) {

        static Key of(ParquetRowGroupReader.Columns cols, DataSpec spec, boolean scoring) {
            String label = ParquetSource.labelName(spec);
            return new Key(spec.path(), cols, label, spec.numFeatures(), spec.labelType(), spec.numClasses(), scoring,
                    spec.badRows().mode() == BadRowPolicy.Mode.FAIL);
        }

        /** The parser {@link ParquetSource#open} builds for this layout (label at 2 when present, features after it). */
        ParquetParser parser() {
            boolean label = cols.labelName() != null;
            return new ParquetParser(label ? 2 : -1, labelName, -1, label ? 3 : 2, true, new String[] {cols.featuresName()},
                    numFeatures, new LabelRules(labelType, numClasses), scoring, null, cols.labelType(),
                    new DataType[] {cols.elementType()});
        }
    }

    /** One input's row groups: by (file, first row), who parses each and what the prefetch parsed. */
    static final class Plan {
        private final String token = UUID.randomUUID().toString();
        private final DataSpec spec;
        /** The layout of the files (set by the survey before {@link #known} completes), or null. */
        private volatile Key key;
        private volatile List<FileStatus> files;
        /** Completed (with {@link #key}) once the thread surveyed the files, or with null when it ends or is closed. */
        private final CompletableFuture<Key> known = new CompletableFuture<>();
        private volatile boolean stopped;
        private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
        private final AtomicInteger ahead = new AtomicInteger();
        private final AtomicInteger taken = new AtomicInteger();

        Plan(DataSpec spec) {
            this.spec = spec;
        }

        String token() {
            return token;
        }

        Key key() {
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
            List<ParsedChunk> chunks = s.chunks.getAndSet(null);
            if (chunks != null) taken.incrementAndGet();
            return chunks;
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
            Plan p = new Plan(spec);
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
     * The plan of a read of {@code spec} whose files the prefetch surveyed and whose layout it takes ({@link Key}: the
     * array layout, plain number types, the same parser settings), or null (no plan, another layout, or stopped).
     * Waits for the survey (a listing and a footer, done first thing while the session starts).
     */
    static Plan surveyed(DataSpec spec, boolean scoring) {
        Plan p = BY_PATH.get(spec.path());
        Key k = p == null ? null : p.known.join();
        if (k == null || p.stopped) return null;
        if (Key.of(k.cols(), spec, scoring).equals(k)) return p;
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
        long end = finished == 0 ? System.nanoTime() : finished;
        return String.format(Locale.ROOT, "%d of %d row groups parsed ahead in %.2f s, %d of them taken", ahead, groups,
                (end - started) / 1e9, taken);
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
            BY_TOKEN.remove(p.token, p);
            BY_PATH.remove(p.spec.path(), p);
            p.slots.values().forEach(s -> s.chunks.set(null));
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
                    p.key = key(p.spec, reader.getFooter().getFileMetaData().getSchema());
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
        ParquetParser parser = p.key.parser();
        for (FileStatus st : p.files) {
            String file = ParquetRowGroups.filePath(st.getPath());
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(st, conf),
                    HadoopReadOptions.builder(conf, st.getPath()).build())) {
                for (int g = 0; g < reader.getRowGroups().size(); g++) {
                    BlockMetaData b = reader.getRowGroups().get(g);
                    if (b.getRowCount() == 0 || b.getRowIndexOffset() < 0) continue;
                    if (closed || p.stopped) return;
                    Slot s = p.slots.computeIfAbsent(file + '\u0000' + b.getRowIndexOffset(), k -> new Slot());
                    if (!s.claimed.compareAndSet(false, true)) continue; // a task has it
                    try {
                        s.chunks.set(ParquetRowGroups.group(reader, file, g, p.key.cols(), parser, p.key.failFast(),
                                () -> closed || p.stopped));
                        p.ahead.incrementAndGet();
                    } finally {
                        s.done.countDown();
                    }
                }
            }
        }
    }

    /** The key a read of {@code spec} would have on files with {@code schema}, or null when it is not that layout. */
    private static Key key(DataSpec spec, MessageType schema) {
        String label = ParquetSource.labelName(spec);
        String features = spec.featuresColumn();
        if (!schema.containsField(label) || !schema.containsField(features)) return null;
        DataType labelType = plain(schema.getType(label));
        Type f = schema.getType(features);
        if (labelType == null || f.isPrimitive() || f.asGroupType().getFieldCount() != 1) return null;
        Type list = f.asGroupType().getType(0);
        if (list.isPrimitive() || list.asGroupType().getFieldCount() != 1) return null;
        DataType element = plain(list.asGroupType().getType(0));
        if (element == null) return null;
        return Key.of(new ParquetRowGroupReader.Columns(label, labelType, features, element), spec, false);
    }

    /** The Spark type of a plain number column (no annotation), else null. */
    private static DataType plain(Type t) {
        if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED) || t.getLogicalTypeAnnotation() != null) return null;
        return switch (t.asPrimitiveType().getPrimitiveTypeName()) {
            case INT32 -> DataTypes.IntegerType;
            case INT64 -> DataTypes.LongType;
            case FLOAT -> DataTypes.FloatType;
            case DOUBLE -> DataTypes.DoubleType;
            default -> null;
        };
    }
}
