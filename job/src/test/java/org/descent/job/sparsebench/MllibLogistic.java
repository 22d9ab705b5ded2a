package org.descent.job.sparsebench;

import java.util.Locale;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import static org.apache.spark.sql.functions.col;

/**
 * Benchmark tool (not a test): Spark MLlib LogisticRegression on the generator's Parquet (vector column), one fit
 * per maxIter in the list (tol 0, so each runs its iterations), each timed from a cached DataFrame and scored on
 * the test Parquet. Prints {@code CURVE mllib <fit seconds> <test accuracy> iters=<n>} lines.
 *
 * <pre>  MllibLogistic DATA_DIR MASTER PARTITIONS REG ITERS,ITERS,...</pre>
 */
public final class MllibLogistic {
    private MllibLogistic() {}

    public static void main(String[] a) {
        String dir = a[0];
        SparkSession spark = SparkSession.builder().master(a[1]).appName("mllib-logistic")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        int partitions = Integer.parseInt(a[2]);
        double reg = Double.parseDouble(a[3]);
        Dataset<Row> train = spark.read().parquet(dir + "/train.parquet").withColumn("label", col("label").cast("double"))
                .repartition(partitions).persist(StorageLevel.MEMORY_ONLY());
        Dataset<Row> test = spark.read().parquet(dir + "/test.parquet").withColumn("label", col("label").cast("double"))
                .persist(StorageLevel.MEMORY_ONLY());
        long n = train.count();
        long nt = test.count();
        for (String it : a[4].split(",")) {
            int iters = Integer.parseInt(it.trim());
            LogisticRegression lr = new LogisticRegression().setMaxIter(iters).setTol(0).setRegParam(reg)
                    .setElasticNetParam(0).setStandardization(false);
            long t0 = System.nanoTime();
            LogisticRegressionModel m = lr.fit(train);
            double secs = (System.nanoTime() - t0) / 1e9;
            long correct = m.transform(test).filter(col("prediction").equalTo(col("label"))).count();
            System.out.printf(Locale.ROOT, "CURVE mllib %.3f %.5f iters=%d rows=%d%n", secs, (double) correct / nt, iters, n);
        }
        spark.stop();
    }
}
