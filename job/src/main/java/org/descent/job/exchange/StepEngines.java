package org.descent.job.exchange;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.descent.job.config.ExchangeKind;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.OptimizerSpec;
import org.descent.math.optim.ScheduleSpec;

/**
 * Picks and builds the {@link StepEngine} for {@code training.exchange} and {@code training.local-steps}. The
 * allreduce engine runs min(partitions, task slots) barrier tasks at once, each owning a contiguous group of
 * partitions, so {@code auto} chooses it whenever dynamic allocation is off (local SGD still needs one task per
 * partition); both engines give the same bits for the same partition count, whatever the number of slots, so the
 * choice changes speed, not results. On a cluster, a lost executor's cached blocks are recomputed by a plain job
 * before the segment runs again ({@link AllReduceEngine}), also with partition groups.
 */
public final class StepEngines {
    private static final Logger LOG = LogManager.getLogger(StepEngines.class);

    private StepEngines() {}

    /**
     * What an engine needs besides the data. {@code tcp}: the allreduce engine always exchanges over sockets
     * ({@link AllReduceEngine#TRANSPORT_KEY} = tcp), also between tasks in one JVM. {@code sparse}: the blocks are CSR;
     * both engines then exchange only the feature rows a step's batches touch ({@link SparseSteps} for allreduce), and
     * {@code auto} picks allreduce as for dense blocks (no Spark job per step).
     */
    public record Spec(ExchangeKind kind, int localSteps, Precision precision, OptimizerSpec optimizer,
                       ScheduleSpec schedule, MiniBatchUpdate update, boolean tcp, boolean sparse) {}

    /** @param partitionRows rows of each partition, in partition order */
    public static StepEngine create(JavaSparkContext jsc, JavaRDD<RowBlock> blocks, long[] partitionRows,
                                    ModelArchitecture architecture, BatchPlan plan, Network network, Spec spec) {
        int partitions = blocks.getNumPartitions();
        boolean wanted = spec.kind() == ExchangeKind.ALLREDUCE || spec.localSteps() > 1;
        boolean averaging = spec.localSteps() > 1;
        String why = allReduceObstacle(jsc.sc(), partitions, averaging);
        if (spec.kind() != ExchangeKind.BROADCAST_COLLECT && !jsc.sc().isLocal()
                && taskSlots(jsc.sc()) < partitions) {
            // executors may still be registering: wait a little for enough task slots
            long waitMillis = wanted ? 60_000 : 10_000;
            long deadline = System.currentTimeMillis() + waitMillis;
            LOG.info("allreduce: waiting up to {} s for {} task slots (one task per partition; fewer slots mean fewer "
                    + "tasks owning several partitions each, the same bits)", waitMillis / 1000, partitions);
            // ends early once the slot count has held still for 3 s (the cluster is smaller than the partitions);
            // wakes when an executor comes or goes rather than polling
            ExecutorChanges changes = ExecutorChanges.of(jsc.sc());
            long version = changes.version(); // before the slot count: a change in between ends the wait at once
            int seen = taskSlots(jsc.sc());
            long since = System.currentTimeMillis();
            while (seen < partitions && System.currentTimeMillis() < deadline
                    && (seen < 1 || System.currentTimeMillis() - since < 3_000)) {
                changes.awaitChange(version, seen < 1 ? deadline : Math.min(deadline, since + 3_000), "executors");
                version = changes.version();
                int now = taskSlots(jsc.sc());
                if (now != seen) since = System.currentTimeMillis();
                seen = now;
            }
            why = allReduceObstacle(jsc.sc(), partitions, averaging);
        }
        boolean allReduce = switch (spec.kind()) {
            case ALLREDUCE -> true;
            case BROADCAST_COLLECT -> false;
            case AUTO -> why == null || spec.localSteps() > 1;
        };
        if (allReduce && why != null) {
            throw new IllegalStateException((spec.localSteps() > 1 ? "training.local-steps = " + spec.localSteps()
                    : "training.exchange = allreduce") + " cannot run here: " + why);
        }
        if (!allReduce && spec.localSteps() > 1) {
            throw new IllegalStateException("training.local-steps = " + spec.localSteps() + " needs the allreduce "
                    + "exchange; set training.exchange = allreduce (or auto), or training.local-steps = 1");
        }
        if (spec.kind() == ExchangeKind.AUTO) {
            LOG.info("training.exchange = auto: using {}{}", allReduce ? "allreduce" : "broadcast-collect",
                    why != null ? " (allreduce not possible: " + why + ")" : allReduce && spec.sparse()
                            ? " (sparse data: its steps exchange and update only the feature rows the step's batches "
                            + "touch, with no Spark job per step)" : "");
        }
        if (allReduce) {
            return new AllReduceEngine(jsc, blocks, architecture, plan, spec.precision(), spec.optimizer(),
                    spec.schedule(), spec.update(), spec.localSteps(), partitionRows, spec.tcp(),
                    ranks(taskSlots(jsc.sc()), partitions));
        }
        GradientExchange exchange = new BroadcastCollectExchange(jsc, blocks, architecture, plan, network.numParams(),
                spec.precision());
        return new DriverStepEngine(exchange, spec.update(), network.layout(), plan.stepsPerEpoch());
    }

    /**
     * Barrier tasks for {@code partitions} partitions and {@code slots} task slots (-1: unknown): one per partition
     * when the slots allow, else one per slot, each owning a contiguous group of partitions.
     */
    static int ranks(int slots, int partitions) {
        return slots < 1 ? partitions : Math.min(slots, partitions);
    }

    /** Why the allreduce engine cannot run now (null: it can); {@code averaging}: local SGD, one task per partition. */
    static String allReduceObstacle(SparkContext sc, int partitions, boolean averaging) {
        if (sc.conf().getBoolean("spark.dynamicAllocation.enabled", false)) {
            return "spark.dynamicAllocation.enabled = true (Spark's barrier mode, which runs all tasks at once, "
                    + "does not support it); disable dynamic allocation or use broadcast-collect";
        }
        int slots = taskSlots(sc);
        if (slots >= 0 && partitions > slots && averaging) {
            return "training.partitions = " + partitions + " but the application has only " + slots + " task slots, and "
                    + "local SGD runs one task per partition, all at once; set training.partitions <= " + slots
                    + " or give the application more executor cores";
        }
        if (slots == 0) return "the application has no task slots (no executors registered)";
        return null;
    }

    /** Task slots of the application's executors right now (-1 if Spark does not say). */
    static int taskSlots(SparkContext sc) {
        try {
            return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("Spark does not say how many task slots the application has: {}", e.toString());
            return -1;
        }
    }
}
