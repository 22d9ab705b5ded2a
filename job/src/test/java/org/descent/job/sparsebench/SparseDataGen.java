package org.descent.job.sparsebench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Benchmark tool (not a test): a seeded generator of sparse classification data with a planted linear model,
 * written as LIBSVM (1-based indices) and as Parquet with a Spark ML vector column ({@code label: int,
 * features: vector}), train and test files.
 *
 * <p>Rows: {@code nnz} distinct features per row drawn with a text-like skew (index {@code floor(d u^2)}, then
 * scattered over {@code [0, d)} by a fixed odd multiplier mod {@code d}, so a few features are frequent and most
 * rare), values {@code 1 + |N(0, 1)|/2} (term weights). Label: {@code argmax_c x . W[:, c]} of a planted
 * {@code W ~ N(0, 1)} ({@code d x k}), replaced by a uniform random class with probability {@code noise}.
 *
 * <pre>  SparseDataGen OUT_DIR ROWS TEST_ROWS FEATURES NNZ CLASSES NOISE SEED [parquet=true|false]</pre>
 */
public final class SparseDataGen {
    private SparseDataGen() {}

    public static void main(String[] a) throws IOException {
        Path out = Path.of(a[0]);
        int rows = Integer.parseInt(a[1]);
        int testRows = Integer.parseInt(a[2]);
        int d = Integer.parseInt(a[3]);
        int nnz = Integer.parseInt(a[4]);
        int k = Integer.parseInt(a[5]);
        double noise = Double.parseDouble(a[6]);
        long seed = Long.parseLong(a[7]);
        boolean parquet = a.length < 9 || Boolean.parseBoolean(a[8]);
        Files.createDirectories(out);
        float[] w = planted(d, k, seed);
        write(out, "train", rows, d, nnz, k, noise, w, new SplittableRandom(seed * 31 + 1), parquet);
        write(out, "test", testRows, d, nnz, k, noise, w, new SplittableRandom(seed * 31 + 2), parquet);
        System.out.printf(Locale.ROOT, "GEN rows=%d test=%d features=%d nnz=%d classes=%d noise=%.3f seed=%d out=%s%n",
                rows, testRows, d, nnz, k, noise, seed, out);
    }

    private static float[] planted(int d, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[Math.multiplyExact(d, k)];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        return w;
    }

    private static void write(Path out, String name, int rows, int d, int nnz, int k, double noise, float[] w,
                              SplittableRandom r, boolean parquet) throws IOException {
        List<Row> parquetRows = parquet ? new ArrayList<>() : null;
        int[] idx = new int[nnz];
        double[] val = new double[nnz];
        double[] score = new double[k];
        long mult = 0x9E3779B1L | 1; // odd: a bijection mod a power of two, and mixes for other d
        try (BufferedWriter lib = Files.newBufferedWriter(out.resolve(name + ".libsvm"))) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < rows; i++) {
                int m = 0;
                while (m < nnz) { // distinct features
                    double u = r.nextDouble();
                    int f = (int) ((long) (d * u * u) * mult % d);
                    boolean dup = false;
                    for (int q = 0; q < m && !dup; q++) dup = idx[q] == f;
                    if (!dup) idx[m++] = f;
                }
                Arrays.sort(idx);
                Arrays.fill(score, 0);
                for (int q = 0; q < nnz; q++) {
                    val[q] = 1 + Math.abs(r.nextGaussian()) / 2;
                    for (int c = 0; c < k; c++) score[c] += val[q] * w[idx[q] + c * d];
                }
                int label = 0;
                for (int c = 1; c < k; c++) if (score[c] > score[label]) label = c;
                if (r.nextDouble() < noise) label = r.nextInt(k);
                sb.setLength(0);
                sb.append(label);
                for (int q = 0; q < nnz; q++) {
                    sb.append(' ').append(idx[q] + 1).append(':').append(String.format(Locale.ROOT, "%.4f", val[q]));
                }
                lib.write(sb.append('\n').toString());
                if (parquet) {
                    double[] v = new double[nnz];
                    for (int q = 0; q < nnz; q++) v[q] = Double.parseDouble(String.format(Locale.ROOT, "%.4f", val[q]));
                    parquetRows.add(RowFactory.create(label, Vectors.sparse(d, idx.clone(), v)));
                }
            }
        }
        if (parquet) {
            SparkSession spark = SparkSession.builder().master("local[2]").appName("SparseDataGen")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
            StructType schema = new StructType().add("label", DataTypes.IntegerType).add("features", SQLDataTypes.VectorType());
            spark.createDataFrame(parquetRows, schema).repartition(4).write().mode("overwrite")
                    .parquet(out.resolve(name + ".parquet").toString());
        }
    }
}
