package org.descent.job.exchange;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Precision;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.OptimizerSpec;
import org.descent.math.optim.ScheduleSpec;
import scala.collection.Iterator;
import scala.collection.Iterator$;
import scala.runtime.AbstractFunction1;

/**
 * One task of an allreduce segment (a Spark barrier stage over the cached blocks, one task per partition, all
 * running at once): steps {@code [from, to)} of an epoch without returning to the driver in between.
 *
 * <p>Call order inside: take the partition's block and its cached buffers ({@link StepTask.State}); register with
 * the driver's {@link Rendezvous} and connect the {@link Mesh}; decode the start state from the broadcast
 * ({@link SegmentRun}); run the steps, synchronously ({@link SynchronousSteps}, {@code localSteps == 1}) or as local
 * SGD ({@link LocalSgdSteps}); rank 0 returns the final state and per-step figures.
 *
 * <p>Failures: the mesh is closed on any failure (try-with-resources), so the peers' reads fail too and the whole
 * barrier stage fails; the driver then runs the segment again from the same broadcast start state
 * ({@link AllReduceEngine}). A data error found while Spark (re)computes the block is reported to the rendezvous by
 * type ({@link Rendezvous#reportDataError}) before the task fails, because Spark fails a barrier stage without the
 * task's exception as cause, and the driver must not retry bad data.
 */
final class SegmentTask extends AbstractFunction1<Iterator<RowBlock>, Iterator<SegmentResult>>
        implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Everything a segment's tasks share (serialised once with the task). */
    record Setup(String runId, ModelArchitecture architecture, BatchPlan plan, Precision precision, int partitions,
                 OptimizerSpec optimizer, ScheduleSpec schedule, MiniBatchUpdate update, int localSteps,
                 Rendezvous.Address rendezvous, long token, int timeoutMillis, boolean inJvm, long[] partitionRows)
            implements Serializable {

        /** Local SGD: every task steps its own copy and the copies are averaged every {@code localSteps} steps. */
        boolean averaging() {
            return localSteps > 1;
        }
    }

    private final Setup setup;
    private final Broadcast<byte[][]> start;
    private final int segment;
    private final int epoch;
    private final int from;
    private final int to;

    SegmentTask(Setup setup, Broadcast<byte[][]> start, int segment, int epoch, int from, int to) {
        this.setup = setup;
        this.start = start;
        this.segment = segment;
        this.epoch = epoch;
        this.from = from;
        this.to = to;
    }

    @Override
    public Iterator<SegmentResult> apply(Iterator<RowBlock> blocks) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        RowBlock block = readBlock(blocks, rank);
        int n = block == null ? 0 : block.rows;
        int cols = StepTask.denseCols(block);
        StepTask.State st = ExecutorCache.get(setup.runId(), "allreduce", rank,
                () -> new StepTask.State(setup.architecture(), setup.plan().maxRowsPerStep(n), n, cols, setup.precision()));
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        synchronized (st) {
            if (block != null) st.permute(setup.plan(), epoch, rank);
            try (Mesh mesh = Mesh.connect(setup.rendezvous(), setup.token(), setup.runId(), segment,
                    ctx.stageAttemptNumber(), rank, setup.partitions(), host, setup.timeoutMillis(), setup.inJvm())) {
                SegmentRun run = new SegmentRun(setup, start.value(), st, block, mesh, segment, epoch, from, to);
                if (setup.averaging()) LocalSgdSteps.run(run);
                else SynchronousSteps.run(run);
                SegmentResult r = run.result();
                r.inJvm = mesh.inJvm();
                mesh.markDone();
                return Iterator$.MODULE$.single(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The partition's one block (null: an empty partition); a data error is reported to the driver by type. */
    private RowBlock readBlock(Iterator<RowBlock> blocks, int rank) {
        try {
            RowBlock block = blocks.hasNext() ? blocks.next() : null;
            if (blocks.hasNext()) throw new IllegalStateException("partition " + rank + " holds more than one row block");
            return block;
        } catch (org.descent.job.data.DataException e) {
            Rendezvous.reportDataError(setup.rendezvous(), setup.token(), segment, e.getMessage());
            throw e;
        }
    }
}
