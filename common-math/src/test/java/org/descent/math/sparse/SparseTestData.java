package org.descent.math.sparse;

import java.util.SplittableRandom;
import org.descent.math.Matrix;

/** Seeded random sparse blocks and their dense twins, for tests. */
public final class SparseTestData {
    private SparseTestData() {}

    /** A random n x d CSR block with about {@code perRow} entries per row (some rows empty), values N(0,1). */
    public static CsrMatrix random(int n, int d, int perRow, SplittableRandom rng) {
        int[] ptr = new int[n + 1];
        int[] idx = new int[n * Math.min(perRow * 2, d)];
        double[] val = new double[idx.length];
        int p = 0;
        for (int i = 0; i < n; i++) {
            int count = i % 5 == 4 ? 0 : 1 + rng.nextInt(Math.min(perRow * 2, d));
            // choose `count` distinct sorted columns: walk the columns with acceptance probability
            int chosen = 0;
            for (int c = 0; c < d && chosen < count; c++) {
                if (rng.nextInt(d - c) < count - chosen) {
                    idx[p] = c;
                    val[p] = rng.nextGaussian();
                    p++;
                    chosen++;
                }
            }
            ptr[i + 1] = p;
        }
        return new CsrMatrix(n, d, ptr, idx, val);
    }

    /** The same block densified (n x d, column-major). */
    public static Matrix dense(SparseRows x) {
        Matrix m = Matrix.zeros(x.rows(), x.cols());
        for (int i = 0; i < x.rows(); i++) {
            for (int p = x.rowPtr()[i]; p < x.rowPtr()[i + 1]; p++) {
                m.data()[i + x.colIdx()[p] * x.rows()] = x.valueAt(p);
            }
        }
        return m;
    }

    /** The same block with float values. */
    public static FloatCsrMatrix toFloat(CsrMatrix x) {
        float[] v = new float[x.values().length];
        for (int p = 0; p < v.length; p++) v[p] = (float) x.values()[p];
        return new FloatCsrMatrix(x.rows(), x.cols(), x.rowPtr(), x.colIdx(), v);
    }

    /** max_i |a_i - b_i| / max(max_i |b_i|, tiny): the relative error of a against b in the max norm. */
    public static double relativeError(double[] a, double[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / Math.max(scale, 1e-300);
    }
}
