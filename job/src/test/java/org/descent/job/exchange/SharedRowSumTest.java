package org.descent.job.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.ActivationKind;
import org.descent.math.nn.LayerSpec;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Precision;
import org.descent.math.optim.RowSparseUpdate;
import org.descent.math.sparse.CsrMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SharedRowSum} against the arithmetic of the sparse allreduce it replaces for ranks sharing one JVM: the
 * presence union of the partitions' rows, each partition's packed vector (+0.0 at the rows it does not touch), the
 * element sums {@code 0.0 + p_0 + ... + p_{P-1}} in partition order, then {@link RowSparseUpdate}'s scaling and
 * squares in index order. Seeded softmax slices on 2-4 partitions, the second of 3 or 4 without rows this step: two
 * live partitions take the two-way merge, three the general one.
 */
class SharedRowSumTest {
    private static final int D = 300;
    private static final int K = 3;

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {2, 3, 4})
    void givenPartitionSlicesWithOverlappingRows_whenSummedFromMemory_thenTheAllreducesBitsUnionAndNorm(int parts) {
        ModelArchitecture arch = new ModelArchitecture("softmax",
                List.of(new LayerSpec(D, K, ActivationKind.IDENTITY)), LossKind.SOFTMAX_CE, D, K);
        Random rnd = new Random(31 + parts);
        double[] params = new double[D * K + K];
        for (int i = 0; i < params.length; i++) params[i] = rnd.nextGaussian();
        BatchPlan plan = new BatchPlan(7, 1, 1, 24);
        CompactSparseStep[] slices = new CompactSparseStep[parts];
        for (int p = 0; p < parts; p++) {
            if (p == 1 && parts > 2) continue; // a partition without rows this step
            RowBlock block = block(rnd, 12);
            slices[p] = new CompactSparseStep(arch, 12, block.rows, Precision.FLOAT64);
            slices[p].permute(plan, 0, p);
            slices[p].stepAt(block, 0, 12, params);
        }
        double scale = 1.0 / (12.0 * parts);
        SharedRowSum sum = new SharedRowSum(K, K);

        int u = sum.sum(slices, scale);

        int[] union = union(slices);
        assertArrayEquals(union, Arrays.copyOf(sum.rows(), u), "the union of the partitions' rows, ascending");
        double[] expected = allreduced(slices, union);
        double ss = 0;
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double x = expected[i] * scale;
            assertEquals(Double.doubleToRawLongBits(x), Double.doubleToRawLongBits(sum.values()[i]), "value " + i);
            ss += x * x;
            max = Math.max(max, Math.abs(x));
        }
        assertEquals(Double.doubleToRawLongBits(ss), Double.doubleToRawLongBits(sum.sumSquares()), "sum of squares");
        assertEquals(Double.doubleToRawLongBits(max), Double.doubleToRawLongBits(sum.max()), "largest magnitude");
        assertEquals(u * K + K, expected.length);
    }

    /** {@code rows} sparse rows of 2-9 distinct features out of D (some shared across partitions), labels 0..K-1. */
    private static RowBlock block(Random rnd, int rows) {
        int[] ptr = new int[rows + 1];
        int[][] cols = new int[rows][];
        for (int r = 0; r < rows; r++) {
            TreeSet<Integer> f = new TreeSet<>();
            int n = 2 + rnd.nextInt(8);
            while (f.size() < n) f.add(rnd.nextBoolean() ? rnd.nextInt(20) : rnd.nextInt(D));
            cols[r] = f.stream().mapToInt(Integer::intValue).toArray();
            ptr[r + 1] = ptr[r] + n;
        }
        int[] idx = new int[ptr[rows]];
        double[] val = new double[idx.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(cols[r], 0, idx, ptr[r], cols[r].length);
            for (int q = ptr[r]; q < ptr[r + 1]; q++) val[q] = rnd.nextGaussian();
        }
        double[] labels = new double[rows];
        for (int r = 0; r < rows; r++) labels[r] = rnd.nextInt(K);
        return new RowBlock(new CsrMatrix(rows, D, ptr, idx, val), labels, new long[rows]);
    }

    private static int[] union(CompactSparseStep[] slices) {
        TreeSet<Integer> all = new TreeSet<>();
        for (CompactSparseStep s : slices) {
            if (s != null) for (int l = 0; l < s.touched(); l++) all.add(s.rows()[l]);
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Each partition's packed vector (+0.0 where it has no row), summed from 0.0 in partition order. */
    private static double[] allreduced(CompactSparseStep[] slices, int[] union) {
        int n = union.length * K + K;
        double[][] packed = new double[slices.length][n];
        for (int p = 0; p < slices.length; p++) {
            CompactSparseStep s = slices[p];
            if (s == null) continue;
            for (int l = 0; l < s.touched(); l++) {
                int q = Arrays.binarySearch(union, s.rows()[l]);
                for (int c = 0; c < K; c++) packed[p][q * K + c] = s.gradient()[l + c * s.cap()];
            }
            for (int i = 0; i < K; i++) packed[p][union.length * K + i] = s.gradient()[s.cap() * K + i];
        }
        double[] sum = new double[n];
        for (int i = 0; i < n; i++) {
            double acc = 0.0;
            for (double[] v : packed) acc += v[i];
            sum[i] = acc;
        }
        return sum;
    }
}
