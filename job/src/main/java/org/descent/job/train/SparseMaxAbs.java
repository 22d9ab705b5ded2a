package org.descent.job.train;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.descent.job.data.DataException;
import org.descent.job.data.RowBlock;
import org.descent.math.scale.Scaler;
import org.descent.math.sparse.CompactRows;
import org.descent.math.sparse.SparseRows;

/**
 * {@code data.scaling = max-abs} fitted on SPARSE blocks in memory proportional to the features the data holds: each
 * partition returns the sorted distinct features of its blocks with their largest {@code |x|}; the driver takes the
 * maximum per feature into one {@code numFeatures} array (parameter-sized) and builds {@link Scaler#maxAbs}. The
 * result is bit-identical to the {@link org.descent.math.scale.FeatureStats} fit (a maximum does not depend on order;
 * implicit zeros cannot raise it), which would hold four {@code numFeatures} arrays per partition and ship them all to
 * the driver: 2 GB per partition at 2^24 features.
 */
final class SparseMaxAbs implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[] features;
    final double[] maxAbs;
    final long rows;

    private SparseMaxAbs(int[] features, double[] maxAbs, long rows) {
        this.features = features;
        this.maxAbs = maxAbs;
        this.rows = rows;
    }

    /** Nothing seen yet. */
    static SparseMaxAbs empty() {
        return new SparseMaxAbs(new int[0], new double[0], 0);
    }

    /** The scaler of the partitions' results (merged in any order: a maximum does not depend on it). */
    static Scaler scaler(List<SparseMaxAbs> parts, int numFeatures) {
        double[] total = new double[numFeatures];
        long rows = 0;
        for (SparseMaxAbs p : parts) {
            for (int i = 0; i < p.features.length; i++) total[p.features[i]] = Math.max(total[p.features[i]], p.maxAbs[i]);
            rows += p.rows;
        }
        if (rows == 0) throw new IllegalArgumentException("cannot fit a max-abs scaler on zero rows");
        return Scaler.maxAbs(total);
    }

    /** One block's distinct features and their largest |x|; non-finite values are refused as by FeatureStats. */
    static SparseMaxAbs of(SparseRows x) {
        int[] ptr = x.rowPtr();
        int[] idx = x.colIdx();
        int from = ptr[0];
        int end = ptr[x.rows()];
        int[] feats = new int[end - from];
        int t = CompactRows.distinct(idx, from, end, feats);
        double[] max = new double[t];
        for (int i = 0; i < x.rows(); i++) {
            for (int p = ptr[i]; p < ptr[i + 1]; p++) {
                double v = x.valueAt(p);
                if (!Double.isFinite(v)) {
                    throw new DataException("feature " + idx[p] + " of block row " + i + " is " + v
                            + "; feature scaling needs finite values (clean or impute the data first)");
                }
                int l = Arrays.binarySearch(feats, 0, t, idx[p]);
                max[l] = Math.max(max[l], Math.abs(v));
            }
        }
        return new SparseMaxAbs(Arrays.copyOf(feats, t), max, x.rows());
    }

    /** Union of two sorted feature lists, the larger maximum where both hold a feature. */
    static SparseMaxAbs merge(SparseMaxAbs a, SparseMaxAbs b) {
        int[] f = new int[a.features.length + b.features.length];
        double[] m = new double[f.length];
        int i = 0, j = 0, t = 0;
        while (i < a.features.length || j < b.features.length) {
            if (j == b.features.length || (i < a.features.length && a.features[i] < b.features[j])) {
                f[t] = a.features[i];
                m[t++] = a.maxAbs[i++];
            } else if (i == a.features.length || b.features[j] < a.features[i]) {
                f[t] = b.features[j];
                m[t++] = b.maxAbs[j++];
            } else {
                f[t] = a.features[i];
                m[t++] = Math.max(a.maxAbs[i++], b.maxAbs[j++]);
            }
        }
        return new SparseMaxAbs(Arrays.copyOf(f, t), Arrays.copyOf(m, t), a.rows + b.rows);
    }
}
