package org.descent.job.sparsebench;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.SparkSession;

/**
 * Benchmark tool (not a test): DIR/train.libsvm and DIR/test.libsvm to DIR/{train,test}.parquet with an integer
 * label and a Spark ML vector column, through spark-mllib's own LIBSVM reader.
 *
 * <pre>  LibsvmToParquet DIR NUM_FEATURES</pre>
 */
public final class LibsvmToParquet {
    private LibsvmToParquet() {}

    public static void main(String[] a) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("libsvm-to-parquet")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        for (String name : new String[] {"train", "test"}) {
            spark.read().format("libsvm").option("numFeatures", a[1]).load(a[0] + "/" + name + ".libsvm")
                    .withColumn("label", col("label").cast("int"))
                    .write().mode("overwrite").parquet(a[0] + "/" + name + ".parquet");
        }
        spark.stop();
    }
}
