package org.descent.ml;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.descent.job.data.Representation;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.Matrix;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.scale.Scaler;
import org.descent.math.sparse.CsrMatrix;

/**
 * The transform task: per partition one network and one workspace for {@link #CHUNK} rows; rows are
 * read in chunks, scaled with the model's scaler, and scored by one forward pass (the same {@link Network#predict}
 * as {@code descent evaluate}/{@code predict}). A chunk of sparse vectors that the data stage's rule calls sparse
 * becomes a CSR block (sparse x dense first layer: memory in proportion to its non-zeros, never a dense row);
 * any other chunk a column-major {@code CHUNK x numFeatures} buffer. Both give the same predictions up to the
 * first layer's summation order.
 *
 * <p>Outputs for classifiers: {@code probability} = the network's class probabilities (logistic:
 * {@code [1 - p, p]}); {@code rawPrediction} = their logarithms (so softmax(raw) = probability; floored
 * at log(Double.MIN_VALUE) to stay finite); {@code prediction} = the most probable class (first on
 * ties; logistic: {@code p >= 0.5}), exactly as the CLI predicts. Regression: the value.
 */
final class Scoring implements MapPartitionsFunction<Row, Row>, Serializable {
    private static final long serialVersionUID = 1L;
    static final int CHUNK = 1024;
    private static final double LOG_MIN = Math.log(Double.MIN_VALUE);

    /** Which columns to append, in this order. */
    record Outputs(boolean raw, boolean probability, boolean prediction) implements Serializable {}

    private final ModelArchitecture arch;
    private final Scaler scaler;
    private final Broadcast<double[]> params;
    private final FeatureColumn features;
    private final int pos;
    private final Outputs outputs;

    Scoring(ModelArchitecture arch, Scaler scaler, Broadcast<double[]> params, FeatureColumn features, int pos,
            Outputs outputs) {
        this.arch = arch;
        this.scaler = scaler;
        this.params = params;
        this.features = features;
        this.pos = pos;
        this.outputs = outputs;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Network network = arch.toNetwork();
        Network.Workspace ws = network.newWorkspace(CHUNK);
        int cols = arch.numFeatures();
        List<Row> chunk = new ArrayList<>(CHUNK);
        return new Iterator<>() {
            final List<Row> ready = new ArrayList<>(CHUNK);
            /** The dense chunk buffer, made when a chunk is scored dense (never for sparse-only input). */
            double[] xs;
            int next;

            @Override
            public boolean hasNext() {
                if (next < ready.size()) return true;
                ready.clear();
                next = 0;
                chunk.clear();
                while (chunk.size() < CHUNK && rows.hasNext()) chunk.add(rows.next());
                if (chunk.isEmpty()) return false;
                FeatureColumn.Cell[] cells = cells(chunk, cols);
                Matrix y;
                if (sparse(cells, cols)) {
                    y = network.predict(params.value(), csr(cells, cols), ws);
                } else {
                    if (xs == null) xs = new double[Math.multiplyExact(CHUNK, cols)];
                    y = network.predict(params.value(), dense(cells, cols, xs), ws);
                }
                for (int i = 0; i < chunk.size(); i++) ready.add(append(chunk.get(i), y, i));
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.get(next++);
            }
        };
    }

    /** The chunk's feature cells, each checked: not null, the model's width, finite. */
    private FeatureColumn.Cell[] cells(List<Row> chunk, int cols) {
        FeatureColumn.Cell[] cells = new FeatureColumn.Cell[chunk.size()];
        for (int i = 0; i < cells.length; i++) {
            Row r = chunk.get(i);
            int w = features.width(r, pos);
            if (w != cols) {
                throw new IllegalArgumentException(w < 0 ? "null features in column '" + features.name + "'"
                        : "features column '" + features.name + "' has a row of " + w + " values; the model expects "
                        + cols);
            }
            cells[i] = features.cell(r, pos);
            if (cells[i].problem() != null) {
                throw new IllegalArgumentException(cells[i].problem() + "; the model cannot score it");
            }
        }
        return cells;
    }

    /**
     * Whether to score the chunk as CSR: every row a sparse vector, the chunk sparse by the data stage's rule
     * ({@link Representation#resolve} of its rows, width and non-zeros), and a scaler that keeps zeros zero (a model
     * trained on sparse blocks has no other).
     */
    private boolean sparse(FeatureColumn.Cell[] cells, int cols) {
        if (scaler != null && !scaler.kind().keepsZeros()) return false;
        long nnz = 0;
        for (FeatureColumn.Cell c : cells) {
            if (c.indices() == null) return false;
            nnz += c.values().length;
        }
        return Representation.AUTO.resolve(cells.length, cols, nnz, 1) == Representation.SPARSE;
    }

    /** The chunk as a float64 CSR block (explicit zeros dropped, as the packer drops them), scaled in place. */
    private CsrMatrix csr(FeatureColumn.Cell[] cells, int cols) {
        int nnz = 0;
        for (FeatureColumn.Cell c : cells) for (double v : c.values()) if (v != 0.0) nnz++;
        int[] ptr = new int[cells.length + 1];
        int[] idx = new int[nnz];
        double[] val = new double[nnz];
        int p = 0;
        for (int i = 0; i < cells.length; i++) {
            int[] ci = cells[i].indices();
            double[] cv = cells[i].values();
            for (int k = 0; k < cv.length; k++) {
                if (cv[k] == 0.0) continue;
                idx[p] = ci[k];
                val[p++] = cv[k];
            }
            ptr[i + 1] = p;
        }
        CsrMatrix x = new CsrMatrix(cells.length, cols, ptr, idx, val);
        if (scaler != null) scaler.transformSparseInPlace(x);
        return x;
    }

    /** The chunk as an {@code m x cols} column-major batch in {@code xs}, scaled in place. */
    private Matrix dense(FeatureColumn.Cell[] cells, int cols, double[] xs) {
        int m = cells.length;
        for (int i = 0; i < m; i++) {
            int[] ci = cells[i].indices();
            double[] cv = cells[i].values();
            if (ci == null) {
                for (int j = 0; j < cols; j++) xs[i + j * m] = cv[j];
                continue;
            }
            for (int j = 0; j < cols; j++) xs[i + j * m] = 0.0;
            for (int k = 0; k < ci.length; k++) xs[i + ci[k] * m] = cv[k];
        }
        if (scaler != null) scaler.transformInPlace(xs, m, cols);
        return Matrix.wrap(m, cols, xs);
    }

    private Row append(Row r, Matrix y, int i) {
        List<Object> v = new ArrayList<>(r.length() + 3);
        for (int k = 0; k < r.length(); k++) v.add(r.get(k));
        if (arch.loss() == LossKind.MSE) {
            if (outputs.prediction()) v.add(y.get(i, 0));
            return RowFactory.create(v.toArray());
        }
        double[] p;
        int best;
        if (arch.loss() == LossKind.BCE_LOGITS) {
            double p1 = y.get(i, 0);
            p = new double[] {1 - p1, p1};
            best = p1 >= 0.5 ? 1 : 0;
        } else {
            p = new double[y.cols()];
            best = 0;
            for (int c = 0; c < p.length; c++) {
                p[c] = y.get(i, c);
                if (p[c] > p[best]) best = c;
            }
        }
        if (outputs.raw()) {
            double[] raw = new double[p.length];
            for (int c = 0; c < p.length; c++) raw[c] = p[c] > 0 ? Math.max(Math.log(p[c]), LOG_MIN) : LOG_MIN;
            v.add(Vectors.dense(raw));
        }
        if (outputs.probability()) v.add(Vectors.dense(p));
        if (outputs.prediction()) v.add((double) best);
        return RowFactory.create(v.toArray());
    }
}
