package org.descent.job.exchange;

import java.io.Serializable;

/**
 * What the allreduce engine's collectives move, counted by one rank ({@link Mesh}) over a segment's steps; rank 0's
 * count goes back with its {@link SegmentResult}, the driver adds the segments up ({@link #add}) and logs the mean per
 * step when the engine closes ({@link #line}), as the broadcast-collect engine logs its bytes
 * ({@code NextStepRows.Traffic}): the same "exchange bytes per step:" line, which {@code scripts/bench-sparse.sh}
 * prints beside its table.
 *
 * <p>Counted per collective call, in bytes of the vector passed in ({@code 8 n} for {@code n} doubles):
 * {@code summed} for an allreduce or a reduce-scatter, {@code gathered} for an all-gather alone. Of the summed
 * bytes, a sparse step's presence vector (the union of touched rows) is also counted in {@code presence}, and the
 * union's rows in {@code unionRows}. Over the flat owner-computes schedule each rank sends, and receives,
 * {@code (R-1)/R} of a vector per reduce-scatter or all-gather, so {@code 2 (R-1)/R x summed + (R-1)/R x gathered}
 * per step ({@link #line} prints it); through memory ({@link LocalHub}) the same bytes are read from the peers'
 * arrays instead. Not thread-safe: one per rank and segment.
 */
final class ExchangeTraffic implements Serializable {
    private static final long serialVersionUID = 1L;

    private long steps;
    private long summed;
    private long gathered;
    private long presence;
    private long unionRows;
    private long peerReads;

    /** An allreduce or reduce-scatter of {@code n} doubles. */
    void summed(int n) {
        summed += 8L * n;
    }

    /** An all-gather of {@code n} doubles. */
    void gathered(int n) {
        gathered += 8L * n;
    }

    /** A sparse step: its presence allreduce of {@code words} doubles (also counted as summed) and its union's rows. */
    void sparseStep(int words, int rows) {
        presence += 8L * words;
        unionRows += rows;
    }

    /**
     * A sparse step of ranks that share one parameter array ({@code SharedState}): no allreduce, this rank read
     * {@code bytes} of the other ranks' gradient rows from memory; {@code rows} in the step's union.
     */
    void sharedStep(long bytes, int rows) {
        peerReads += bytes;
        unionRows += rows;
    }

    /** {@code n} more steps done with the counts so far. */
    void steps(int n) {
        steps += n;
    }

    /** Adds another segment's counts. */
    void add(ExchangeTraffic o) {
        steps += o.steps;
        summed += o.summed;
        gathered += o.gathered;
        presence += o.presence;
        unionRows += o.unionRows;
        peerReads += o.peerReads;
    }

    /**
     * The log line, e.g. {@code exchange bytes per step: 1639112 summed (sparse: presence 80664 + 19385 touched rows
     * x 8 + tail and figures), 0 gathered; each of 2 ranks sends and receives 1639112 (flat schedule), through
     * memory; 54 steps}, or for ranks that share one JVM's parameters {@code exchange bytes per step: none sent;
     * each of 2 ranks reads 379902 of the other ranks' gradient rows and tails from memory (shared state: 8732 union
     * rows x 8 + tail); 355 steps}; null before any step.
     */
    String line(int ranks, int k, boolean inJvm) {
        if (steps == 0) return null;
        double share = ranks <= 1 ? 0 : (ranks - 1) / (double) ranks;
        long wire = Math.round(2 * share * summed / steps + share * gathered / steps);
        if (peerReads > 0) { // ranks sharing one JVM's parameters: no collective per step, reads from memory
            return String.format("exchange bytes per step: none sent; each of %d ranks reads %d of the other ranks' "
                    + "gradient rows and tails from memory (shared state: %d union rows x %d + tail); %d steps", ranks,
                    peerReads / steps, unionRows / steps, k, steps);
        }
        String sparse = presence == 0 ? "" : String.format(" (sparse: presence %d + %d touched rows x %d + tail and "
                + "figures)", presence / steps, unionRows / steps, k);
        return String.format("exchange bytes per step: %d summed%s, %d gathered; each of %d ranks sends and receives "
                + "%d (flat schedule)%s; %d steps", summed / steps, sparse, gathered / steps, ranks, wire,
                inJvm ? ", through memory" : "", steps);
    }
}
