package org.descent.job.exchange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;

/**
 * The first {@link GradientExchange}: per step, broadcast the parameters, run one task per partition
 * ({@link StepTask}: one {@code lossAndGradientSum} on that partition's slice), collect the P partial
 * sums and add them on the driver in partition-index order. Unlike {@code treeAggregate}, whose combine
 * order depends on task completion, this order is fixed, so the summed gradient is bit-identical run
 * after run. Cost per step: one broadcast of {@code numParams} doubles plus P partials of the same size
 * back to the driver (P is small). The broadcast is destroyed after each step.
 */
public final class BroadcastCollectExchange implements GradientExchange {
    private final JavaSparkContext jsc;
    private final JavaRDD<RowBlock> blocks;
    private final ModelArchitecture architecture;
    private final BatchPlan plan;
    private final int numParams;
    private final boolean recordIds;
    private final String runId = "descent-" + UUID.randomUUID();

    /**
     * @param blocks    cached training blocks, one per partition
     * @param recordIds also return the ids of the rows each step used (tests: counts real visits)
     */
    public BroadcastCollectExchange(JavaSparkContext jsc, JavaRDD<RowBlock> blocks, ModelArchitecture architecture,
                                    BatchPlan plan, int numParams, boolean recordIds) {
        this.jsc = jsc;
        this.blocks = blocks;
        this.architecture = architecture;
        this.plan = plan;
        this.numParams = numParams;
        this.recordIds = recordIds;
    }

    @Override
    public StepResult computeAndAggregate(double[] params, int epoch, int step) {
        long start = System.nanoTime();
        List<PartialGradient> partials = runTasks(params, epoch, step);
        long sumStart = System.nanoTime();
        double[] sum = new double[numParams];
        double loss = 0;
        long rows = 0;
        long computeMax = 0;
        long computeSum = 0;
        long fetchMax = 0;
        long[][] ids = recordIds ? new long[partials.size()][] : null;
        for (int k = 0; k < partials.size(); k++) {
            PartialGradient p = partials.get(k);
            double[] g = p.gradSum;
            for (int i = 0; i < numParams; i++) {
                sum[i] += g[i];
            }
            loss += p.lossSum;
            rows += p.rows;
            if (ids != null) ids[k] = p.ids;
            computeMax = Math.max(computeMax, p.computeNanos);
            computeSum += p.computeNanos;
            fetchMax = Math.max(fetchMax, p.fetchNanos);
        }
        long end = System.nanoTime();
        StepTiming timing = new StepTiming(end - start, computeMax, computeSum, fetchMax, end - sumStart,
                partials.size());
        return new StepResult(sum, loss, rows, ids, timing);
    }

    /** Broadcasts the parameters, runs one {@link StepTask} per partition, returns the partials in partition order. */
    private List<PartialGradient> runTasks(double[] params, int epoch, int step) {
        Broadcast<double[]> bc = jsc.broadcast(params.clone());
        try {
            jsc.setJobDescription("descent epoch " + (epoch + 1) + "/" + plan.epochs() + " step " + (step + 1)
                    + "/" + plan.stepsPerEpoch());
            List<PartialGradient> partials = new ArrayList<>(blocks.mapPartitionsWithIndex(
                    new StepTask(runId, architecture, plan, bc, epoch, step, recordIds), false).collect());
            partials.sort(Comparator.comparingInt((PartialGradient q) -> q.partition));
            return partials;
        } finally {
            bc.destroy();
        }
    }

    @Override
    public void close() {
        String id = runId;
        try {
            jsc.setJobDescription("descent: release executor buffers");
            blocks.foreachPartition(it -> ExecutorCache.release(id));
        } catch (Exception ignored) {
            // best effort: executors that are gone hold nothing
        } finally {
            ExecutorCache.release(id);
        }
    }
}
