package org.descent.job.score;

import java.util.ArrayList;
import java.util.List;
import org.descent.job.data.BatchReader;
import org.descent.job.data.DataException;
import org.descent.job.data.RowBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.nn.Network;
import org.descent.math.nn.Precision;
import org.descent.math.nn.Scored;
import org.descent.math.nn.Targets;

/**
 * One partition's scoring buffers, allocated once: the network, a workspace for {@link Scorer#CHUNK} rows in the
 * scorer's precision (float64 for {@code evaluate}, {@code predict} and the publish gate; a training run's validation
 * computes in its {@code training.precision}) and a chunk reader (dense copy or sparse view of consecutive rows, with
 * their labels).
 *
 * <p>A chunker that keeps ({@code keepValues > 0}: a training run's validation, the same blocks every epoch) lays
 * each dense chunk out once as the pass reads it, a column-major {@link Matrix} (float64 pass) or {@link FloatMatrix}
 * (float32 pass, the values rounded once as that pass would round them every time), and scores the later passes from
 * that copy: no row copy, widening or rounding per epoch, the same bits. It keeps at most {@code keepValues} feature
 * values (the rest is read from the blocks every time); sparse blocks are always read as views (no copy to save).
 */
final class Chunker {
    final Network network;
    final Network.Workspace ws;
    final BatchReader reader;
    private final int cols;
    private final Precision precision;
    private final long keepValues;
    /** Kept chunks by block ordinal (null: not kept), and how many feature values they hold. */
    private final List<Laid[]> kept = new ArrayList<>();
    private long keptValues;

    /** One dense chunk in the pass's layout: {@code Matrix} or {@code FloatMatrix}, and its targets. */
    private record Laid(Object x, Targets y, double[] labels, int rows) {}

    Chunker(ModelArchitecture a, int cols, Precision precision) {
        this(a, cols, precision, 0);
    }

    Chunker(ModelArchitecture a, int cols, Precision precision, long keepValues) {
        if (cols != a.numFeatures()) {
            throw new DataException("model expects " + a.numFeatures() + " features, data has " + cols);
        }
        this.network = a.toNetwork();
        this.ws = network.newWorkspace(Scorer.CHUNK, precision);
        this.reader = new BatchReader(Scorer.CHUNK, cols);
        this.cols = cols;
        this.precision = precision;
        this.keepValues = keepValues;
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

    /**
     * Adds the loss and outputs of every row of {@code b} to {@code acc}, chunk by chunk: one forward pass per chunk
     * gives both ({@link Network#lossSumAndPredict}: the bits of a loss pass and a prediction pass). {@code ordinal}:
     * the block's place in its partition (which kept chunks are its own).
     */
    void score(int ordinal, RowBlock b, double[] params, ScoreMetrics acc) {
        Laid[] laid = laidOut(ordinal, b);
        if (laid != null) {
            score(laid, params, acc);
            return;
        }
        for (int start = 0; start < b.rows; start += Scorer.CHUNK) {
            int m = load(b, start);
            Targets y = Targets.ofValues(m, labels());
            Scored s = reader.dense() != null ? network.lossSumAndPredict(params, reader.dense(), y, ws)
                    : network.lossSumAndPredict(params, reader.sparse(), y, ws);
            acc.addLoss(s.lossSum(), m);
            acc.add(s.outputs(), labels(), m);
        }
    }

    /** True if block {@code ordinal} is kept laid out: {@link #scoreKept} scores it without the block. */
    boolean holds(int ordinal) {
        return ordinal < kept.size() && kept.get(ordinal) != null;
    }

    /** As {@link #score} for a block this chunker {@link #holds}, from its kept chunks alone. */
    void scoreKept(int ordinal, double[] params, ScoreMetrics acc) {
        if (!holds(ordinal)) throw new IllegalStateException("block " + ordinal + " of the partition is not kept");
        score(kept.get(ordinal), params, acc);
    }

    private void score(Laid[] laid, double[] params, ScoreMetrics acc) {
        for (Laid c : laid) {
            Scored s = c.x() instanceof Matrix m ? network.lossSumAndPredict(params, m, c.y(), ws)
                    : network.lossSumAndPredict(params, (FloatMatrix) c.x(), c.y(), ws);
            acc.addLoss(s.lossSum(), c.rows());
            acc.add(s.outputs(), c.labels(), c.rows());
        }
    }

    /** The kept chunks of block {@code ordinal}, laid out now if it is dense and fits; null: read it from b. */
    private Laid[] laidOut(int ordinal, RowBlock b) {
        if (keepValues <= 0 || b.isSparse()) return null;
        while (kept.size() <= ordinal) kept.add(null);
        Laid[] laid = kept.get(ordinal);
        if (laid != null && rows(laid) == b.rows) return laid;
        long values = (long) b.rows * cols;
        if (laid != null || keptValues + values > keepValues) return null; // another block there, or no room: read b
        laid = new Laid[(b.rows + Scorer.CHUNK - 1) / Scorer.CHUNK];
        for (int c = 0; c < laid.length; c++) {
            int m = load(b, c * Scorer.CHUNK);
            double[] x = reader.dense().data();
            Object input = precision == Precision.FLOAT32 ? FloatMatrix.of(Matrix.wrap(m, cols, x))
                    : Matrix.wrap(m, cols, java.util.Arrays.copyOf(x, m * cols));
            double[] y = java.util.Arrays.copyOf(labels(), m);
            laid[c] = new Laid(input, Targets.ofValues(m, y), y, m);
        }
        kept.set(ordinal, laid);
        keptValues += values;
        return laid;
    }

    private static int rows(Laid[] laid) {
        int n = 0;
        for (Laid c : laid) n += c.rows();
        return n;
    }
}
