package org.descent.job.data;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
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
 * One input's row groups for {@link ParquetPrefetch}: by (file, first row), who parses each and what the prefetch parsed.
 *
 * <p>Written by {@link ParquetPrefetch} (its thread surveys and parses; its close drops the plan), read by the read
 * ({@link ParquetSource}, {@link ParquetRowGroups.Reads#hold}) and its tasks ({@link #take}).
 */
final class PrefetchPlan {
    private static final Logger LOG = LogManager.getLogger(PrefetchPlan.class);

    final String token = UUID.randomUUID().toString();
    final DataSpec spec;
    final Configuration conf;
    /** The layout of the files (set by the survey before {@link #known} completes), or null. */
    volatile PrefetchKey key;
    volatile List<FileStatus> files;
    /** Completed (with {@link #key}) once the thread surveyed the files, or with null when it ends or is closed. */
    final CompletableFuture<PrefetchKey> known = new CompletableFuture<>();
    volatile boolean stopped;
    final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    final AtomicInteger ahead = new AtomicInteger();
    final AtomicInteger taken = new AtomicInteger();
    /** Row groups the read's own thread parsed in {@link #hold}. */
    final AtomicInteger helped = new AtomicInteger();
    /** Reads holding the chunks ({@link #hold}, {@link #release}); guarded by this plan. */
    private int holds;
    /** Set once the chunks are dropped (closed without a hold, or the last hold released); guarded by this plan. */
    private boolean dropped;
    /** Set by the prefetch's close; guarded by this plan. */
    private boolean closed;

    PrefetchPlan(DataSpec spec, Configuration conf) {
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
    LinkedHashMap<ParquetPrefetch.Group, List<ParsedChunk>> hold(boolean help) {
        synchronized (this) {
            if (dropped || stopped) return null;
            holds++; // from here the prefetch's close leaves the chunks to this read
        }
        LinkedHashMap<ParquetPrefetch.Group, List<ParsedChunk>> out = null;
        try {
            LinkedHashMap<ParquetPrefetch.Group, Slot> all = parseUnclaimed(this, () -> stopped, helped, help);
            if (all == null) return null;
            LinkedHashMap<ParquetPrefetch.Group, List<ParsedChunk>> chunks = new LinkedHashMap<>();
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
    void close() {
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
        ParquetPrefetch.forget(this);
        slots.values().forEach(s -> s.chunks.set(null));
    }

    /** A row group: claimed by whoever parses it; done once the prefetch's chunks (or null) are set. */
    static final class Slot {
        final AtomicBoolean claimed = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<List<ParsedChunk>> chunks = new AtomicReference<>();
    }

    /**
     * The loop of the prefetch thread and of {@link #hold}: parses, in file order, the plan's row groups nobody has
     * claimed (counting them in {@code parsed}), with the prefetch's configuration and the plan's parser. Returns every
     * row group's slot in file and row order (parsed here or elsewhere), or null when {@code stop} said so, a row
     * group has no row index (only tasks read those) or, not to {@code claim}, nobody has claimed a row group.
     */
    static LinkedHashMap<ParquetPrefetch.Group, Slot> parseUnclaimed(PrefetchPlan p, BooleanSupplier stop,
                                                                      AtomicInteger parsed, boolean claim)
            throws IOException {
        ParquetParser parser = p.key.parser();
        LinkedHashMap<ParquetPrefetch.Group, Slot> all = new LinkedHashMap<>();
        for (FileStatus st : p.files) {
            String file = ParquetRowGroups.filePath(st.getPath());
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromStatus(st, p.conf),
                    HadoopReadOptions.builder(p.conf, st.getPath()).build())) {
                for (int g = 0; g < reader.getRowGroups().size(); g++) {
                    BlockMetaData b = reader.getRowGroups().get(g);
                    if (b.getRowCount() == 0) continue;
                    if (b.getRowIndexOffset() < 0 || stop.getAsBoolean()) return null;
                    Slot s = p.slots.computeIfAbsent(file + '\u0000' + b.getRowIndexOffset(), k -> new Slot());
                    all.put(new ParquetPrefetch.Group(file, g, b.getRowIndexOffset()), s);
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
