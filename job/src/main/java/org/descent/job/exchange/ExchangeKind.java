package org.descent.job.exchange;

/** {@code training.exchange}: how a step's per-partition gradients are summed ({@link StepEngines}). */
public enum ExchangeKind {
    /** {@link ExchangeKind#ALLREDUCE} when it can run (partitions ≤ task slots, no dynamic allocation), else broadcast-collect. */
    AUTO,
    /** {@link AllReduceEngine}: long-running barrier tasks exchange gradients directly; no driver in the data path. */
    ALLREDUCE,
    /** {@link DriverStepEngine} over {@link BroadcastCollectExchange}: one Spark job per step, summed on the driver. */
    BROADCAST_COLLECT
}
