package org.descent.job.cli;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.descent.job.config.SparkSettings;

/**
 * Starts (or joins) the SparkSession for a command. Precedence for the master ({@link #master}): {@code spark.conf}'s
 * {@code spark.master}, else {@code spark.master} in the job config, else what spark-submit / {@code -Dspark.master}
 * set, else {@code local[*]}.
 * {@code spark.conf.*} entries are applied as given; Spark defaults from system properties
 * ({@code -Dspark.*}, which scripts/run.sh fills from conf/spark-defaults.conf) still apply.
 */
final class SparkSessions {
    private SparkSessions() {}

    /** A session and whether this command created it (and so stops it). */
    record Handle(SparkSession session, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) session.stop();
        }
    }

    /**
     * Whether {@link #start} gives a local-mode session ({@code local}, {@code local[N]}, {@code local[N,F]}: driver and
     * tasks in this JVM), by the same precedence; false when a session is already running (it may be anything).
     */
    static boolean local(SparkSettings s) {
        if (SparkSession.getActiveSession().isDefined() || SparkSession.getDefaultSession().isDefined()) return false;
        String master = master(s);
        return master.equals("local") || master.startsWith("local[");
    }

    /**
     * The master {@link #start} sets: {@code spark.conf}'s {@code spark.master} (applied last, so it wins), else
     * {@code spark.master}, else spark-submit's / {@code -Dspark.master}, else {@code local[*]}.
     */
    static String master(SparkSettings s) {
        String fromConf = s.conf().get("spark.master");
        if (fromConf != null) return fromConf;
        return s.master() != null ? s.master() : new SparkConf().get("spark.master", "local[*]");
    }

    /**
     * A new (or the running) session of Spark's classic implementation, the one descent's RDD jobs need. Built with the
     * classic builder rather than {@code SparkSession.builder()}: that one picks its implementation (classic or Connect)
     * through Scala runtime reflection, whose start costs ~0.8 s and ~1.5 CPU seconds on 2 cores (issue 17; measured
     * with the same class path and archive); the session is the same.
     */
    static SparkSession classicSession(SparkConf conf) {
        return org.apache.spark.sql.classic.SparkSession.builder().config(conf).getOrCreate();
    }

    static Handle start(SparkSettings s) {
        var active = SparkSession.getActiveSession();
        if (active.isDefined()) return new Handle(active.get(), false);
        var dflt = SparkSession.getDefaultSession();
        if (dflt.isDefined()) return new Handle(dflt.get(), false);
        SparkConf conf = new SparkConf();
        conf.setAppName(s.appName());
        if (s.master() != null) {
            conf.setMaster(s.master());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // multi-MB partial gradients as direct task results (see conf/spark-defaults.conf, docs/performance.md)
        conf.setIfMissing("spark.task.maxDirectResultSize", "64m");
        // allreduce barrier stages: re-check for free slots after an executor loss every 2 s, not 15 s
        conf.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "2s");
        conf.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "150");
        for (Map.Entry<String, String> e : s.conf().entrySet()) {
            conf.set(e.getKey(), e.getValue());
        }
        return new Handle(classicSession(conf), true);
    }
}
