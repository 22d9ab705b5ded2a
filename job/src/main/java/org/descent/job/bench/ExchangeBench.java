package org.descent.job.bench;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.descent.job.config.ConfigLoader;
import org.descent.job.config.JobConfig;
import org.descent.job.data.RowBlock;
import org.descent.job.exchange.BatchPlan;
import org.descent.job.exchange.BroadcastCollectExchange;
import org.descent.job.exchange.StepFigures;
import org.descent.job.model.ModelArchitecture;
import org.descent.job.train.ModelFactory;
import org.descent.math.nn.Precision;

/**
 * Exchange-only benchmark: the per-step cost of {@link BroadcastCollectExchange} for a config's model on
 * synthetic blocks generated on the executors (no data loading, no optimizer): {@code --rows} rows of
 * {@code --features} uniform features in {@code training.partitions} cached blocks, {@code --steps} steps
 * at fixed parameters after {@code --warmup} steps. Prints the median and mean step split (compute vs
 * exchange + scheduling). Spark settings come from {@code -Dspark.*} and the config's {@code spark.conf}.
 *
 * <p>Usage: {@code ExchangeBench --config FILE [--set k=v]... [--rows 60000] [--features 784] [--classes 10]
 * [--steps 200] [--warmup 50]}
 */
public final class ExchangeBench {
    private ExchangeBench() {}

    public static void main(String[] args) {
        File config = null;
        List<String> overrides = new ArrayList<>();
        int rows = 60000, features = 784, classes = 10, steps = 200, warmup = 50;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = new File(args[++i]);
                case "--set" -> overrides.add(args[++i]);
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--features" -> features = Integer.parseInt(args[++i]);
                case "--classes" -> classes = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        JobConfig cfg = ConfigLoader.load(config, overrides);
        SparkConf conf = new SparkConf().setAppName("descent-exchange-bench");
        if (cfg.spark().master() != null) conf.setMaster(cfg.spark().master());
        conf.setIfMissing("spark.master", "local[*]");
        cfg.spark().conf().forEach(conf::set);
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int p = cfg.training().partitions();
            int n = rows, d = features, k = classes;
            JavaRDD<RowBlock> blocks = jsc.parallelize(IntStream.range(0, p).boxed().toList(), p)
                    .map(part -> synthetic(part, n / p + (part < n % p ? 1 : 0), d, k))
                    .persist(StorageLevel.MEMORY_ONLY());
            blocks.count();
            ModelArchitecture arch = ModelFactory.build(cfg.model(), d, k);
            int stepsPerEpoch = BatchPlan.stepsPerEpoch(n, cfg.training().batchSize());
            BatchPlan plan = new BatchPlan(cfg.training().seed(), 1, stepsPerEpoch, cfg.training().batchSize());
            double[] params = arch.toNetwork().initParams(cfg.model().init(), 1);
            long[] wall = new long[steps], cmax = new long[steps], exch = new long[steps];
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();
            long cpu0 = 0;
            long sumComputeNs = 0;
            try (BroadcastCollectExchange ex = new BroadcastCollectExchange(jsc, blocks, arch, plan, params.length,
                    Precision.FLOAT64)) {
                double[] gradSum = new double[params.length];
                for (int s = 0; s < warmup + steps; s++) {
                    if (s == warmup) cpu0 = os.getProcessCpuTime();
                    StepFigures t = ex.computeAndAggregate(params, 0, s % stepsPerEpoch, gradSum);
                    if (s >= warmup) {
                        wall[s - warmup] = t.wallNanos();
                        cmax[s - warmup] = t.computeMaxNanos();
                        exch[s - warmup] = t.exchangeNanos();
                        sumComputeNs += t.computeSumNanos();
                    }
                }
            }
            double sumCompute = sumComputeNs / 1e6 / steps;
            double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6 / steps;
            blocks.unpersist(false);
            System.out.printf(Locale.ROOT, "exchange bench: %s, %d partitions, %d params, batch %d, %d steps after %d "
                            + "warm-up; broadcast.compress=%s maxDirectResultSize=%s%n",
                    spark.sparkContext().master(), p, params.length, cfg.training().batchSize(), steps, warmup,
                    spark.conf().get("spark.broadcast.compress", "true"),
                    spark.conf().get("spark.task.maxDirectResultSize", "1m"));
            System.out.printf(Locale.ROOT, "RESULT ms/step  median: wall %.1f = compute %.1f + exchange %.1f"
                            + "  |  mean: wall %.1f, compute %.1f, exchange %.1f  |  p90 wall %.1f  |  process CPU %.1f"
                            + " ms/step (all threads; compute is ~%.1f of it)%n",
                    pct(wall, 50), pct(cmax, 50), pct(exch, 50), mean(wall), mean(cmax), mean(exch), pct(wall, 90),
                    cpuMs, sumCompute);
        } finally {
            spark.stop();
        }
    }

    static RowBlock synthetic(int part, int n, int d, int k) {
        SplittableRandom r = new SplittableRandom(1000 + part);
        double[] f = new double[n * d];
        for (int i = 0; i < f.length; i++) f[i] = r.nextDouble();
        double[] y = new double[n];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(k);
            ids[i] = (long) part << 32 | i;
        }
        return RowBlock.rowMajor(n, d, f, y, ids);
    }

    private static double pct(long[] v, int q) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(q / 100.0 * s.length) - 1)] / 1e6;
    }

    private static double mean(long[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN) / 1e6;
    }
}
