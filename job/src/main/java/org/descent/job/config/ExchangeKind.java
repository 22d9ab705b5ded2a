package org.descent.job.config;

/** {@code training.exchange}: how a step's per-partition gradients are summed (the job's exchange package). */
public enum ExchangeKind {
    /** Allreduce when it can run (partitions ≤ task slots, no dynamic allocation), else broadcast-collect. */
    AUTO,
    /** Long-running barrier tasks exchange gradients directly; no driver in the data path. */
    ALLREDUCE,
    /** One Spark job per step: parameters broadcast, partial sums collected and added on the driver. */
    BROADCAST_COLLECT
}
