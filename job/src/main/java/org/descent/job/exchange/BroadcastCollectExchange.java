package org.descent.job.exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.descent.job.data.RowBlock;
import org.descent.math.sparse.FeatureIndex;
import org.descent.math.sparse.RowSparseGradient;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Precision;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * The first {@link GradientExchange}: per step, broadcast the parameters, run one task per partition
 * ({@link StepTask}: one {@code lossAndGradientSum} on that partition's slice), collect the P partial
 * sums and add them on the driver in partition-index order. Unlike {@code treeAggregate}, whose combine
 * order depends on task completion, this order is fixed, so the summed gradient is bit-identical run
 * after run. Cost per step: one broadcast of {@code numParams} doubles plus P partials of the same size
 * back to the driver (P is small). The broadcast is destroyed after each step.
 *
 * <p>Per-step overhead kept low (measured in docs/performance.md): the tasks run through
 * {@code SparkContext.runJob} on the cached block RDD itself with a named function (no new RDD and no
 * ClosureCleaner bytecode scan per step); parameters and partials travel as {@link DoubleBytes} (bulk byte[]
 * serialisation instead of Java's per-element double[] path); the driver adds each partial straight from
 * its bytes. Partials larger than {@code spark.task.maxDirectResultSize} (Spark's default 1 MiB; a
 * 131k-parameter model's gradient is already 1 MiB) take a slower path through the block manager, so
 * conf/spark-defaults.conf raises it.
 *
 * <p>Sparse blocks ({@link CompactSparseStep}): each task also reports the features its partition's next step reads;
 * when they are known for the step ({@link NextStepRows}), the broadcast holds only those rows of {@code W_1} and the
 * dense tail, so a wide model's step costs the driver O(touched rows) in encoding and broadcasting.
 */
public final class BroadcastCollectExchange implements GradientExchange {
    private static final ClassTag<PartialGradient> PARTIAL = ClassTag$.MODULE$.apply(PartialGradient.class);

    private final JavaSparkContext jsc;
    private final JavaRDD<RowBlock> blocks;
    private final ModelArchitecture architecture;
    private final BatchPlan plan;
    private final int numParams;
    private final Precision precision;
    private final scala.collection.immutable.Seq<Object> allPartitions;
    private final String runId = "descent-" + UUID.randomUUID();
    private final NextStepRows nextRows;
    private final NextStepRows.Traffic traffic = new NextStepRows.Traffic();
    /** Union of the last step's touched rows (row-sparse partials only); {@code touched < 0}: the last sum was dense. */
    private FeatureIndex union;
    private int unionOutputs;
    private int touched = -1;
    /** The array the last sum was written into (its zeros outside the touched rows are what {@link #clearSum} keeps). */
    private double[] lastSum;

    /**
     * @param blocks    cached training blocks, one per partition
     * @param precision arithmetic of each task's forward/backward pass ({@code training.precision});
     *                  the summed gradient returned is double either way
     */
    public BroadcastCollectExchange(JavaSparkContext jsc, JavaRDD<RowBlock> blocks, ModelArchitecture architecture,
                                    BatchPlan plan, int numParams, Precision precision) {
        this.jsc = jsc;
        this.blocks = blocks;
        this.architecture = architecture;
        this.plan = plan;
        this.numParams = numParams;
        this.precision = precision;
        this.nextRows = new NextStepRows(architecture, numParams);
        List<Object> parts = new ArrayList<>();
        for (int p = 0; p < blocks.getNumPartitions(); p++) parts.add(p);
        this.allPartitions = scala.jdk.javaapi.CollectionConverters.asScala(parts).toList();
    }

    @Override
    public StepFigures computeAndAggregate(double[] params, int epoch, int step, double[] sum) {
        if (sum.length != numParams) {
            throw new IllegalArgumentException("gradient buffer of " + sum.length + " for " + numParams + " parameters");
        }
        long start = System.nanoTime();
        PartialGradient[] partials = runTasks(params, epoch, step);
        long sumStart = System.nanoTime();
        boolean rowSparse = partials.length > 0;
        for (PartialGradient p : partials) rowSparse &= p.gradSum == null || p.sparseFeatures > 0;
        clearSum(sum, rowSparse);
        double loss = 0;
        long rows = 0;
        long computeMax = 0;
        long computeSum = 0;
        long fetchMax = 0;
        for (int k = 0; k < partials.length; k++) { // partition-index order: a fixed summation order
            PartialGradient p = partials[k];
            if (p.gradSum != null && p.sparseFeatures > 0) { // touched rows only: same additions, same order
                RowSparseGradient.addTo(p.gradSum, p.sparseFeatures, p.sparseOutputs, sum);
                if (rowSparse) RowSparseGradient.addRowsTo(p.gradSum, union(p.sparseFeatures, p.sparseOutputs));
            } else if (p.gradSum != null) {
                DoubleBytes.addTo(p.gradSum, sum);
            }
            loss += p.lossSum;
            rows += p.rows;
            computeMax = Math.max(computeMax, p.computeNanos);
            computeSum += p.computeNanos;
            fetchMax = Math.max(fetchMax, p.fetchNanos);
        }
        touched = rowSparse && union != null ? union.finish() : -1;
        long end = System.nanoTime();
        return StepFigures.summed(rows, loss, end - start, computeMax, computeSum, fetchMax, end - sumStart,
                partials.length);
    }

    /**
     * Makes {@code sum} all +0.0 before the partials are added: when the previous step's sum into this same array was
     * row-sparse, only its rows and the dense tail can be non-zero, so only they are cleared (O(rows k), not O(d k)).
     */
    private void clearSum(double[] sum, boolean rowSparse) {
        if (sum == lastSum && touched >= 0) {
            int[] rows = union.rows();
            for (int j = 0, col = 0; j < unionOutputs; j++, col += union.features()) {
                for (int l = 0; l < touched; l++) sum[rows[l] + col] = 0.0;
            }
            java.util.Arrays.fill(sum, union.features() * unionOutputs, sum.length, 0.0);
        } else {
            java.util.Arrays.fill(sum, 0.0);
        }
        lastSum = sum;
        touched = -1;
    }

    /** The driver's feature index for the union of the partials' rows (created on the first row-sparse step). */
    private FeatureIndex union(int d, int k) {
        if (union == null || union.features() != d || unionOutputs != k) {
            union = new FeatureIndex(d);
            unionOutputs = k;
        }
        return union;
    }

    @Override
    public int[] touchedRows() {
        return touched >= 0 ? union.rows() : null;
    }

    @Override
    public int touchedCount() {
        return Math.max(0, touched);
    }

    /** Broadcasts the parameters, runs one {@link StepTask} per partition, returns the partials by partition index. */
    private PartialGradient[] runTasks(double[] params, int epoch, int step) {
        nextRows.probe(blocks.rdd(), allPartitions, plan, epoch, step);
        byte[] rowsOnly = nextRows.payload(params, epoch, step);
        byte[] payload = rowsOnly != null ? rowsOnly : DoubleBytes.encode(params);
        traffic.broadcast(payload.length, rowsOnly != null);
        Broadcast<byte[]> bc = jsc.broadcast(payload);
        try {
            jsc.setJobDescription("descent epoch " + (epoch + 1) + "/" + plan.epochs() + " step " + (step + 1)
                    + "/" + plan.stepsPerEpoch());
            RDD<RowBlock> rdd = blocks.rdd();
            PartialGradient[] out = new PartialGradient[rdd.getNumPartitions()];
            rdd.sparkContext().runJob(rdd, new StepTask(runId, architecture, plan, bc, epoch, step, precision,
                    rowsOnly != null), allPartitions, new Collect(out), PARTIAL);
            for (int p = 0; p < out.length; p++) {
                if (out[p] == null || out[p].partition != p) {
                    throw new IllegalStateException("step " + step + ": no partial gradient from partition " + p);
                }
            }
            nextRows.collect(out);
            for (PartialGradient p : out) traffic.partial(p.gradSum == null ? 0 : p.gradSum.length);
            return out;
        } finally {
            bc.destroy();
        }
    }

    /** Driver-side result handler: stores each task's partial at its partition index (not serialised). */
    private static final class Collect extends AbstractFunction2<Object, PartialGradient, BoxedUnit> {
        private final PartialGradient[] out;

        Collect(PartialGradient[] out) {
            this.out = out;
        }

        @Override
        public BoxedUnit apply(Object index, PartialGradient partial) {
            out[(Integer) index] = partial;
            return BoxedUnit.UNIT;
        }
    }

    @Override
    public void close() {
        traffic.log();
        ExecutorCache.releaseEverywhere(jsc, blocks, runId);
    }

}
