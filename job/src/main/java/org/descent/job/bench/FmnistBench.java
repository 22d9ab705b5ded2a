package org.descent.job.bench;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;
import org.descent.job.data.ParquetPrefetch;
import org.descent.job.exchange.StepFigures;
import org.descent.job.train.DataStage;
import org.descent.job.train.EpochReport;
import org.descent.job.train.Trainer;
import org.descent.job.train.TrainingResult;

/**
 * End-to-end training benchmark (scripts/bench-fmnist.sh): trains a config exactly like {@code train} does
 * (same {@link DataStage}, same {@link Trainer}) but writes no model, and prints per epoch and as medians:
 * epoch time, training rows/s and steps/s, and the mean step split into compute (slowest task's gather +
 * gradient) and exchange + scheduling (everything else: broadcast, task launch, result transfer, driver
 * sum), plus the driver's update. Figures are wall-clock on whatever machine runs it: quote them with the
 * machine and its load.
 *
 * <p>Usage: {@code FmnistBench --config FILE [--set key=value]... [--label TEXT]}
 */
public final class FmnistBench {
    private FmnistBench() {}

    public static void main(String[] args) throws IOException {
        File config = null;
        String label = "";
        List<String> overrides = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = new File(args[++i]);
                case "--set" -> overrides.add(args[++i]);
                case "--label" -> label = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: FmnistBench --config FILE [--set key=value]... [--label TEXT]");
            }
        }
        if (config == null) throw new IllegalArgumentException("--config FILE is required");
        JobConfig cfg = ConfigLoader.load(config, overrides);

        SparkConf conf = new SparkConf().setAppName("descent-bench");
        if (cfg.spark().master() != null) conf.setMaster(cfg.spark().master());
        conf.setIfMissing("spark.master", "local[*]");
        for (Map.Entry<String, String> e : cfg.spark().conf().entrySet()) conf.set(e.getKey(), e.getValue());
        // as the train command does: parse the Parquet input ahead while the session starts (local mode only)
        String master = conf.get("spark.master");
        ParquetPrefetch prefetch = master.equals("local") || master.startsWith("local[") ? DataStage.prefetch(cfg) : null;
        // the classic builder, as the train command's (cli.SparkSessions#classicSession: no Scala runtime reflection)
        SparkSession spark;
        try {
            spark = org.apache.spark.sql.classic.SparkSession.builder().config(conf).getOrCreate();
        } catch (RuntimeException | Error e) { // the prefetch's thread and open file must not outlive a failed start
            if (prefetch != null) prefetch.close();
            throw e;
        }
        long sessionMillis = System.currentTimeMillis();
        double sessionCpu = processCpuSeconds();
        try {
            String loadBefore = loadAverage();
            DataStage.Input input = DataStage.load(spark, cfg, prefetch);
            long scannedMillis = System.currentTimeMillis();
            double scannedCpu = processCpuSeconds();
            StepClock clock = new StepClock();
            Trainer trainer = new Trainer(spark, cfg).withStepListener(clock).withEpochListener(clock);
            TrainingResult result = trainer.train(input.train(), input.validation());
            print(label, cfg, spark, result, clock, loadBefore, loadAverage(), trainer.engineName());
            printStartup(sessionMillis, scannedMillis, clock);
            // CPU seconds of the whole process (JIT and GC threads included), robust to other jobs on the cores
            System.out.printf(Locale.ROOT, "BENCH startup_cpu session_cpu_s=%.2f scan_cpu_s=%.2f total_cpu_s=%.2f%n",
                    sessionCpu, scannedCpu - sessionCpu, processCpuSeconds());
        } finally {
            if (prefetch != null) prefetch.close();
            spark.stop();
        }
    }

    /**
     * Command start (JVM start) to the first step, by phase: Spark session, validation scans of the input
     * (DataStage), packing + scaling + caching (Trainer, up to the training's start), first step. One
     * machine-readable line for scripts/bench-fmnist.sh.
     */
    /** CPU time of this process so far (all threads), or NaN where the JVM does not say. */
    private static double processCpuSeconds() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e9 : Double.NaN;
    }

    private static void printStartup(long sessionMillis, long scannedMillis, StepClock clock) {
        long jvm = ManagementFactory.getRuntimeMXBean().getStartTime();
        double session = (sessionMillis - jvm) / 1e3;
        double scan = (scannedMillis - sessionMillis) / 1e3;
        double cache = (clock.startMillis() - scannedMillis) / 1e3;
        double step = (clock.firstStepMillis() - clock.startMillis()) / 1e3;
        double first = (clock.firstStepMillis() - jvm) / 1e3;
        System.out.printf(Locale.ROOT, "start-up: %.2f s from JVM start to the first step = Spark session %.2f + input"
                + " scans %.2f + pack/scale/cache %.2f + first step %.2f%n", first, session, scan, cache, step);
        System.out.printf(Locale.ROOT, "BENCH startup first_step_s=%.3f session_s=%.3f scan_s=%.3f cache_s=%.3f step1_s=%.3f%n",
                first, session, scan, cache, step);
    }

    private static void print(String label, JobConfig cfg, SparkSession spark, TrainingResult result, StepClock clock,
                              String loadBefore, String loadAfter, String engine) {
        String master = spark.sparkContext().master();
        System.out.printf(Locale.ROOT, "%n== descent fmnist bench%s ==%n", label.isEmpty() ? "" : " [" + label + "]");
        System.out.printf(Locale.ROOT, "machine: %d cores, %s; load average before %s, after %s (shared machine: "
                        + "other jobs compete for the cores, expect noise)%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.version"), loadBefore, loadAfter);
        System.out.printf(Locale.ROOT, "BLAS: %s (OPENBLAS_NUM_THREADS=%s)%n",
                dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getName(), System.getenv("OPENBLAS_NUM_THREADS"));
        System.out.printf(Locale.ROOT, "exchange: %s (training.exchange = %s)%n", engine,
                cfg.training().exchange().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        System.out.printf(Locale.ROOT, "spark: %s, %d partitions; batch %d, %d steps/epoch, %d train rows, %d params%n",
                master, cfg.training().partitions(), cfg.training().batchSize(), result.stepsPerEpoch(),
                result.trainRows(), result.params().length);
        System.out.printf(Locale.ROOT, "settings: spark.broadcast.compress=%s spark.task.maxDirectResultSize=%s "
                        + "spark.locality.wait=%s%n",
                spark.conf().get("spark.broadcast.compress", "(default true)"),
                spark.conf().get("spark.task.maxDirectResultSize", "(default 1m)"),
                spark.conf().get("spark.locality.wait", "(default 3s)"));
        System.out.println();
        String head = String.format(Locale.ROOT, "%-6s %9s %9s %9s %8s | %8s %8s %8s %8s %8s %8s | %8s %8s",
                "epoch", "epoch s", "train s", "rows/s", "steps/s", "step ms", "comp max", "comp sum", "exch+sch",
                "pfetch", "drv sum", "update", "val acc");
        System.out.println(head);
        System.out.println("-".repeat(head.length()));
        int n = clock.epochs().size();
        double[][] cols = new double[12][n];
        for (int e = 0; e < n; e++) {
            StepClock.Epoch ep = clock.epochs().get(e);
            EpochReport rep = result.epochs().get(e);
            int steps = ep.timings.size();
            long wall = 0, cmax = 0, csum = 0, fetch = 0, dsum = 0, upd = 0;
            for (StepFigures t : ep.timings) {
                wall += t.wallNanos();
                cmax += t.computeMaxNanos();
                csum += t.computeSumNanos();
                fetch += t.fetchMaxNanos();
                dsum += t.driverSumNanos();
                upd += t.updateNanos();
            }
            // the run's own split (EpochReport): when the allreduce ranks validate at the epoch's end, the epoch's last
            // steps reach the driver with its end, after the pass, so the driver's step clock would count the pass as
            // training; the report puts it on the ranks' timeline (train s + validation s = epoch s)
            double stepsSec = rep.trainSeconds();
            double[] row = {rep.seconds(), stepsSec, ep.rows / stepsSec, steps / stepsSec,
                    wall / 1e6 / steps, cmax / 1e6 / steps, csum / 1e6 / steps, (wall - cmax) / 1e6 / steps,
                    fetch / 1e6 / steps, dsum / 1e6 / steps, upd / 1e6 / steps, rep.validationMetric()};
            for (int c = 0; c < row.length; c++) cols[c][e] = row[c];
            System.out.println(formatRow(String.valueOf(e + 1), row));
        }
        double[] med = new double[12];
        // medians over epochs 2..N when N >= 3 (epoch 1 carries JIT warm-up), as the torch reference does
        for (int c = 0; c < 12; c++) med[c] = median(Arrays.copyOfRange(cols[c], n >= 3 ? 1 : 0, n));
        System.out.println("-".repeat(head.length()));
        System.out.println(formatRow(n >= 3 ? "med2-N" : "median", med));
        // the validation pass alone (EpochReport.validationSeconds): epoch s - train s also holds the end of the
        // epoch's training job after its last step reached the driver
        double[] val = new double[n];
        for (int e = 0; e < n; e++) val[e] = result.epochs().get(e).validationSeconds();
        double medVal = median(Arrays.copyOfRange(val, n >= 3 ? 1 : 0, n));
        System.out.println();
        System.out.printf(Locale.ROOT, "RESULT%s: median epoch %.2f s (training %.2f s), %.0f rows/s, %.1f steps/s, "
                        + "%.1f ms/step = compute %.1f (max over %d tasks) + exchange/scheduling %.1f, "
                        + "driver update %.1f ms; validation pass %.3f s; last val accuracy %.4f%n",
                label.isEmpty() ? "" : " [" + label + "]", med[0], med[1], med[2], med[3], med[4], med[5],
                cfg.training().partitions(), med[7], med[10], medVal, cols[11][n - 1]);
        // one machine-readable line for scripts/bench-fmnist.sh
        System.out.printf(Locale.ROOT, "BENCH descent precision=%s exchange=%s partitions=%d epochs=%d median_epoch_s=%.3f "
                        + "median_train_s=%.3f median_step_ms=%.3f compute_ms=%.3f exchange_ms=%.3f update_ms=%.3f test_acc=%.4f local_steps=%d "
                        + "median_val_s=%.3f%n",
                cfg.training().precision().name().toLowerCase(Locale.ROOT), engine.split(" ")[0],
                cfg.training().partitions(), n, med[0], med[1], med[4] + med[10], med[5], med[7], med[10], cols[11][n - 1],
                cfg.training().localSteps(), medVal);
        System.out.println("columns: epoch s = whole epoch incl. validation; train s = the epoch's training only (from "
                + "the epoch's start to its last step, incl. job launches; no validation; EpochReport.trainSeconds); rows/s, steps/s from train s; step ms = "
                + "compute + exchange wall per step, without the update; comp max/sum = gather+gradient inside the tasks "
                + "(slowest / all tasks); exch+sch = step ms - comp max (allreduce: the socket exchange incl. waiting "
                + "for the slowest task; broadcast-collect: broadcast, job scheduling, result transfer, driver sum); "
                + "pfetch = slowest task's wait for the broadcast params; drv sum = driver adding the partials; "
                + "update = regularise+clip+optimizer (driver for broadcast-collect, every task for allreduce).");
        System.out.println("final parameters fingerprint (same config+seed+partitions must give the same): "
                + fingerprint(result.params()));
    }

    private static String formatRow(String first, double[] r) {
        return String.format(Locale.ROOT, "%-6s %9.2f %9.2f %9.0f %8.2f | %8.1f %8.1f %8.1f %8.1f %8.2f %8.2f | %8.2f %8.4f",
                first, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]);
    }

    /** SHA-256 (first 16 hex digits) of the parameters' raw IEEE-754 bits. */
    static String fingerprint(double[] params) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * params.length);
            for (double v : params) b.putLong(Double.doubleToRawLongBits(v));
            return java.util.HexFormat.of().formatHex(md.digest(b.array())).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        if (n == 0) return Double.NaN;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
