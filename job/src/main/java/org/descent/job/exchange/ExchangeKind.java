package org.descent.job.exchange;

/** {@code training.exchange}: how per-partition gradients reach the driver. */
public enum ExchangeKind {
    /** {@link BroadcastCollectExchange}: broadcast params, collect P partials, sum in partition order. */
    BROADCAST_COLLECT
}
