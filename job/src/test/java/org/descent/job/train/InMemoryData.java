package org.descent.job.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.descent.job.data.LoadedData;
import org.descent.job.data.RowBlock;

/** Test data built in memory: rows dealt round-robin into one {@link RowBlock} per partition, ids = row index. */
public final class InMemoryData {
    public final double[][] x;
    public final double[] y;
    public final int numClasses;

    public InMemoryData(double[][] x, double[] y, int numClasses) {
        this.x = x;
        this.y = y;
        this.numClasses = numClasses;
    }

    public int rows() {
        return y.length;
    }

    public LoadedData toLoaded(int partitions) {
        int d = x[0].length;
        List<RowBlock> blocks = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int n = 0;
            for (int i = p; i < y.length; i += partitions) n++;
            double[] f = new double[n * d];
            double[] l = new double[n];
            long[] ids = new long[n];
            int r = 0;
            for (int i = p; i < y.length; i += partitions, r++) {
                System.arraycopy(x[i], 0, f, r * d, d);
                l[r] = y[i];
                ids[r] = i;
            }
            blocks.add(RowBlock.rowMajor(n, d, f, l, ids));
        }
        return new LoadedData(TestSpark.jsc().parallelize(blocks, partitions), y.length, d, numClasses, java.util.Map.of());
    }

    /** First {@code n} rows and the rest. */
    public InMemoryData[] split(int n) {
        return new InMemoryData[] {
            new InMemoryData(java.util.Arrays.copyOfRange(x, 0, n), java.util.Arrays.copyOfRange(y, 0, n), numClasses),
            new InMemoryData(java.util.Arrays.copyOfRange(x, n, x.length), java.util.Arrays.copyOfRange(y, n, y.length), numClasses)
        };
    }

    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** y = x·w + b + N(0, noise²), x ~ N(0, 1)^d. */
    public static InMemoryData linear(int n, int d, double noise, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[d];
        for (int j = 0; j < d; j++) w[j] = 2 * r.nextDouble() - 1;
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0.7;
            for (int j = 0; j < d; j++) {
                x[i][j] = gaussian(r);
                s += w[j] * x[i][j];
            }
            y[i] = s + noise * gaussian(r);
        }
        return new InMemoryData(x, y, 0);
    }

    /** Binary labels: 1 when x·w + 0.2 + N(0, 0.3²) > 0. */
    public static InMemoryData binary(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[d];
        for (int j = 0; j < d; j++) w[j] = 2 * r.nextDouble() - 1;
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0.2;
            for (int j = 0; j < d; j++) {
                x[i][j] = gaussian(r);
                s += w[j] * x[i][j];
            }
            y[i] = s + 0.3 * gaussian(r) > 0 ? 1 : 0;
        }
        return new InMemoryData(x, y, 2);
    }

    /** k Gaussian blobs (std 1) with centres at distance ~3 in d dimensions. */
    public static InMemoryData blobs(int n, int d, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] centres = new double[k][d];
        for (int c = 0; c < k; c++) for (int j = 0; j < d; j++) centres[c][j] = 3 * gaussian(r);
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(k);
            for (int j = 0; j < d; j++) x[i][j] = centres[c][j] + gaussian(r);
            y[i] = c;
        }
        return new InMemoryData(x, y, k);
    }

    /** 2-D XOR: x uniform in [-1, 1]², label 1 when x1·x2 > 0; a linear model gets about half right. */
    public static InMemoryData xor(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = 2 * r.nextDouble() - 1;
            x[i][1] = 2 * r.nextDouble() - 1;
            y[i] = x[i][0] * x[i][1] > 0 ? 1 : 0;
        }
        return new InMemoryData(x, y, 2);
    }
}
