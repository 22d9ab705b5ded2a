package org.descent.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The shared local[2] session settings and seeded synthetic data sets. */
final class TestData {
    private TestData() {}

    static SparkSession session(String name) {
        return SparkSession.builder().master("local[2]").appName(name)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    /**
     * Three Gaussian blobs in 4-D (unit noise, centres 3 apart on different axes, offset and stretched so
     * scaling matters): columns id, species ("setosa"/"versicolor"/"virginica"), x0..x3. Chance is 1/3;
     * the Bayes accuracy is above 0.95.
     */
    static Dataset<Row> blobs(SparkSession spark, int n, long seed) {
        Random r = new Random(seed);
        String[] names = {"setosa", "versicolor", "virginica"};
        double[][] centres = {{0, 0, 0, 0}, {3, 0, 3, 0}, {0, 3, 0, 3}};
        double[] scale = {1, 10, 0.1, 100};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            Object[] v = new Object[6];
            v[0] = (long) i;
            v[1] = names[c];
            for (int j = 0; j < 4; j++) v[2 + j] = (centres[c][j] + r.nextGaussian()) * scale[j] + 5;
            rows.add(RowFactory.create(v));
        }
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("id", DataTypes.LongType, false));
        f.add(DataTypes.createStructField("species", DataTypes.StringType, false));
        for (int j = 0; j < 4; j++) f.add(DataTypes.createStructField("x" + j, DataTypes.DoubleType, false));
        return spark.createDataFrame(rows, new StructType(f.toArray(new StructField[0]))).repartition(2);
    }
}
