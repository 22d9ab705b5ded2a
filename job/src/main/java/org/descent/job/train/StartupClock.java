package org.descent.job.train;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The start-up of a training run, split into its parts for one log line at the first step (issue 17: command start to
 * first step). Marks are wall-clock milliseconds set on the driver as the phases end: the data stage
 * ({@link DataStage#load}: read, parse and validate the input once), the preparation ({@link Trainer}: scaling fit,
 * packing and caching the blocks) and the first step (TrainingRun). A phase that was not marked in this process (a
 * caller that loaded its data another way) is reported as part of the one before it.
 */
final class StartupClock {
    private static volatile long dataStart;
    private static volatile long dataEnd;
    private static volatile String prefetched;

    private StartupClock() {}

    /** DataStage: the input is about to be read. */
    static void dataStarted() {
        dataStart = System.currentTimeMillis();
        prefetched = null; // a run without a prefetch (another in this JVM had one) says nothing about it
    }

    /** DataStage: the input is read and validated. */
    static void dataDone() {
        dataEnd = System.currentTimeMillis();
    }

    /** DataStage: what the prefetch parsed ahead ({@link org.descent.job.data.ParquetPrefetch#summary}). */
    static void prefetched(String summary) {
        prefetched = summary;
    }

    /**
     * The line: JVM start to the first step's end = JVM and Spark start (to the data stage), read + validate, model and
     * preparation (scaling fit, pack, cache), engine start and first step.
     */
    static String line(long prepareStart, long prepareEnd, long firstStepEnd) {
        long jvm = ManagementFactory.getRuntimeMXBean().getStartTime();
        long ds = dataStart >= jvm && dataStart <= prepareStart ? dataStart : prepareStart;
        long de = dataEnd >= ds && dataEnd <= prepareStart ? dataEnd : ds;
        // the process's CPU seconds (all threads, JIT and GC included): on a shared machine the wall time says more
        // about the other jobs than about this one
        double cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e9 : Double.NaN;
        return String.format(Locale.ROOT, "start-up: %.2f s (CPU %.1f s) from JVM start to the end of the first step = JVM and Spark"
                        + " session %.2f + read and validate the input %.2f%s + model %.2f + scaling fit, pack and cache %.2f"
                        + " + engine start and first step %.2f", (firstStepEnd - jvm) / 1e3, cpu, (ds - jvm) / 1e3,
                (de - ds) / 1e3, prefetched == null ? "" : " (" + prefetched + ")", (prepareStart - de) / 1e3, (prepareEnd - prepareStart) / 1e3,
                (firstStepEnd - prepareEnd) / 1e3);
    }
}
