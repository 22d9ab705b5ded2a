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
import org.descent.job.model.ModelArchitecture;
import org.descent.math.Matrix;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.scale.Scaler;

/**
 * The transform task: per partition one network and one workspace for {@link #CHUNK} rows; rows are
 * read in chunks into a column-major buffer, scaled with the model's scaler, and scored by one forward
 * pass (the same {@link Network#predict} as {@code descent evaluate}/{@code predict}).
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
        double[] xs = new double[CHUNK * cols];
        List<Row> chunk = new ArrayList<>(CHUNK);
        return new Iterator<>() {
            final List<Row> ready = new ArrayList<>(CHUNK);
            int next;

            @Override
            public boolean hasNext() {
                if (next < ready.size()) return true;
                ready.clear();
                next = 0;
                chunk.clear();
                while (chunk.size() < CHUNK && rows.hasNext()) chunk.add(rows.next());
                if (chunk.isEmpty()) return false;
                score(network, ws, chunk, xs, cols, ready);
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.get(next++);
            }
        };
    }

    private void score(Network network, Network.Workspace ws, List<Row> chunk, double[] xs, int cols, List<Row> out) {
        int m = chunk.size();
        for (int i = 0; i < m; i++) {
            Row r = chunk.get(i);
            int w = features.width(r, pos);
            if (w != cols) {
                throw new IllegalArgumentException(w < 0 ? "null features in column '" + features.name + "'"
                        : "features column '" + features.name + "' has a row of " + w + " values; the model expects "
                        + cols);
            }
            String problem = features.read(r, pos, xs, i, m);
            if (problem != null) throw new IllegalArgumentException(problem + "; the model cannot score it");
        }
        if (scaler != null) scaler.transformInPlace(xs, m, cols);
        Matrix y = network.predict(params.value(), Matrix.wrap(m, cols, xs), ws);
        for (int i = 0; i < m; i++) out.add(append(chunk.get(i), y, i));
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
