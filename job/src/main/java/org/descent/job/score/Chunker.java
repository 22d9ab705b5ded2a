package org.descent.job.score;

import org.descent.job.data.BatchReader;
import org.descent.job.data.DataException;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Network;

/**
 * One partition's scoring buffers, allocated once: the network, a float64 workspace for {@link Scorer#CHUNK} rows
 * (whatever {@code training.precision} says, so metrics are comparable across runs) and a chunk reader (dense copy or
 * sparse view of consecutive rows, with their labels).
 */
final class Chunker {
    final Network network;
    final Network.Workspace ws;
    final BatchReader reader;
    private final int cols;

    Chunker(ModelArchitecture a, int cols) {
        if (cols != a.numFeatures()) {
            throw new DataException("model expects " + a.numFeatures() + " features, data has " + cols);
        }
        this.network = a.toNetwork();
        this.ws = network.newWorkspace(Scorer.CHUNK);
        this.reader = new BatchReader(Scorer.CHUNK, cols);
        this.cols = cols;
    }

    /** Loads rows {@code [start, start + m)} of {@code b}; returns m (at most {@link Scorer#CHUNK}). */
    int load(RowBlock b, int start) {
        if (b.cols != cols) {
            throw new DataException("model expects " + cols + " features, a data block has " + b.cols);
        }
        int m = Math.min(Scorer.CHUNK, b.rows - start);
        reader.load(b, start, m);
        return m;
    }

    double[] labels() {
        return reader.labels();
    }

    /** Adds the loss and outputs of every row of {@code b} to {@code acc}, chunk by chunk. */
    void score(RowBlock b, double[] params, ScoreMetrics acc) {
        for (int start = 0; start < b.rows; start += Scorer.CHUNK) {
            int m = load(b, start);
            acc.addLoss(reader.lossSum(network, params, ws), m);
            acc.add(reader.predict(network, params, ws), labels(), m);
        }
    }
}
