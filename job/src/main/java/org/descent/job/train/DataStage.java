package org.descent.job.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.descent.job.config.JobConfig;
import org.descent.job.data.DataException;
import org.descent.job.data.DataLoader;
import org.descent.job.data.DataSpec;
import org.descent.job.data.LabelType;
import org.descent.job.data.LoadedData;
import org.descent.job.data.ParquetPrefetch;
import org.descent.job.data.Storage;

/**
 * Loads the training set and the validation set the config names: {@code data.validation-path} (read
 * with the training set's feature and class counts, so a mismatch is an error; when the config fixes both counts the
 * two files are read at the same time), or a seeded holdout of
 * {@code training.validation-fraction}, or none. Data problems become {@link InputDataException}.
 */
public final class DataStage {
    private DataStage() {}

    /** {train, validation or null}. */
    public record Input(LoadedData train, LoadedData validation) {}

    /** {@code data.storage} resolved for the run's {@code training.precision}. */
    public static Storage storage(JobConfig cfg) {
        return cfg.data().storage().resolve(cfg.training().precision());
    }

    /**
     * Starts parsing the run's Parquet input ahead, while the Spark session starts ({@link ParquetPrefetch}; local
     * mode only: the read's tasks must run in this JVM to take what it parsed): the training set, and the validation set
     * when it is read at the same time with the config's counts (the specs {@link #load} reads). Pass it to
     * {@link #load(SparkSession, JobConfig, ParquetPrefetch)}, and close it on every path (idempotent).
     */
    public static ParquetPrefetch prefetch(JobConfig cfg) {
        DataSpec spec = trainSpec(cfg);
        List<DataSpec> specs = new ArrayList<>(List.of(spec));
        DataSpec v = concurrentValidation(cfg, spec);
        if (v != null) specs.add(v);
        Configuration conf = new Configuration();
        // what Spark's Hadoop configuration adds (spark.hadoop.* of the system properties and the config), so that the
        // paths resolve to the same files
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("spark.hadoop."))
                .forEach(k -> conf.set(k.substring("spark.hadoop.".length()), System.getProperty(k)));
        cfg.spark().conf().forEach((k, val) -> {
            if (k.startsWith("spark.hadoop.")) conf.set(k.substring("spark.hadoop.".length()), val);
        });
        return ParquetPrefetch.start(specs, conf);
    }

    /** As {@link #load(SparkSession, JobConfig)}, taking what {@code prefetch} parsed (null: none); closes it. */
    public static Input load(SparkSession spark, JobConfig cfg, ParquetPrefetch prefetch) {
        try {
            return load(spark, cfg);
        } finally {
            if (prefetch != null) {
                prefetch.close();
                StartupClock.prefetched(prefetch.summary());
            }
        }
    }

    /** The training set's spec as {@link #load} reads it. */
    private static DataSpec trainSpec(JobConfig cfg) {
        // data.storage: sparse blocks are packed with float32 values (8 instead of 12 bytes per non-zero); dense
        // ones are packed in float64 and stored in float32 after scaling (Trainer, RowBlock#stored)
        return cfg.data().trainSpec().withRepresentation(cfg.data().representation(), storage(cfg) == Storage.FLOAT32);
    }

    /** The validation set's spec when {@link #load} reads it at the same time as {@code spec}, else null. */
    private static DataSpec concurrentValidation(JobConfig cfg, DataSpec spec) {
        String vpath = cfg.data().validationPath();
        boolean countsFixed = spec.numFeatures() > 0 && (spec.labelType() == LabelType.REAL || spec.numClasses() > 0);
        if (cfg.training().validationFraction() > 0 || vpath == null || !countsFixed) return null;
        return spec.withPath(vpath).withCounts(spec.numFeatures(), spec.labelType() == LabelType.REAL ? 0 : spec.numClasses());
    }

    public static Input load(SparkSession spark, JobConfig cfg) {
        DataSpec spec = trainSpec(cfg);
        int partitions = cfg.training().partitions();
        long seed = cfg.training().seed();
        StartupClock.dataStarted();
        try {
            if (cfg.training().validationFraction() > 0) {
                LoadedData[] split = DataLoader.loadWithHoldout(spark, spec, cfg.training().validationFraction(),
                        partitions, seed);
                StartupClock.dataDone();
                return new Input(split[0], split[1]);
            }
            String vpath = cfg.data().validationPath();
            DataSpec both = concurrentValidation(cfg, spec);
            if (both != null) { // both reads at once: the smaller one fills the cores the other leaves idle
                CompletableFuture<LoadedData> v = CompletableFuture.supplyAsync(
                        () -> DataLoader.load(spark, both, partitions, seed));
                LoadedData train;
                try {
                    train = DataLoader.load(spark, spec, partitions, seed);
                } catch (RuntimeException e) { // the training data's error comes first; free what the other read holds
                    LoadedData other = v.handle((d, x) -> d).join();
                    if (other != null) other.release();
                    throw e;
                }
                LoadedData validation = join(v);
                StartupClock.dataDone();
                return new Input(train, validation);
            }
            LoadedData train = DataLoader.load(spark, spec, partitions, seed);
            LoadedData validation = null;
            if (vpath != null) {
                DataSpec vspec = spec.withPath(vpath).withCounts(train.numFeatures(), train.numClasses());
                validation = DataLoader.load(spark, vspec, partitions, seed);
            }
            StartupClock.dataDone();
            return new Input(train, validation);
        } catch (Exception e) { // includes the undeclared, checked SparkException
            throw new InputDataException(DataException.findIn(e).map(Throwable::getMessage)
                    .orElseGet(() -> Trainer.rootMessage(e)), e);
        }
    }

    /** The future's value, its failure rethrown as it was thrown. */
    private static LoadedData join(CompletableFuture<LoadedData> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }
}
