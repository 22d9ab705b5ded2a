package org.descent.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.descent.job.data.DataException;
import org.descent.math.scale.FeatureStats;
import org.descent.math.scale.Scaler;
import org.descent.math.scale.ScalerKind;
import org.descent.math.sparse.CsrMatrix;
import org.junit.jupiter.api.Test;

/** The sparse max-abs fit (features present only) against the FeatureStats fit of the same rows: the same bits. */
class SparseMaxAbsTest {
    /** {@code rows} rows over {@code d} features, about 4 entries each (some rows empty), mixed signs and zeros. */
    static CsrMatrix block(int rows, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ptr = new int[rows + 1];
        List<Integer> idx = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int c = r.nextInt(-1, d);
            for (int j = 0; j < d && c >= 0; j++) {
                if (r.nextInt(d) < 4) {
                    idx.add(j);
                    val.add(r.nextInt(7) == 0 ? -0.0 : (r.nextDouble() - 0.4) * 10);
                }
            }
            ptr[i + 1] = idx.size();
        }
        return new CsrMatrix(rows, d, ptr, idx.stream().mapToInt(Integer::intValue).toArray(),
                val.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Test
    void givenSparseBlocks_whenFittedFromPresentFeatures_thenSameScalerBitsAsFeatureStats() {
        int d = 40;
        CsrMatrix a = block(30, d, 1);
        CsrMatrix b = block(17, d, 2);
        Scaler dense = Scaler.fit(ScalerKind.MAX_ABS,
                new FeatureStats(d).addSparse(a).merge(new FeatureStats(d).addSparse(b)));
        Scaler sparse = SparseMaxAbs.scaler(List.of(SparseMaxAbs.merge(SparseMaxAbs.empty(), SparseMaxAbs.of(a)),
                SparseMaxAbs.of(b)), d);
        assertEquals(ScalerKind.MAX_ABS, sparse.kind());
        assertArrayEquals(dense.scales(), sparse.scales());
        assertArrayEquals(dense.offsets(), sparse.offsets());
    }

    @Test
    void givenNaNValue_whenFitted_thenDataErrorNamesFeatureAndRow() {
        CsrMatrix x = new CsrMatrix(2, 5, new int[] {0, 1, 2}, new int[] {1, 3}, new double[] {1.0, Double.NaN});
        DataException e = assertThrows(DataException.class, () -> SparseMaxAbs.of(x));
        assertEquals(true, e.getMessage().contains("feature 3 of block row 1 is NaN"), e.getMessage());
    }
}
