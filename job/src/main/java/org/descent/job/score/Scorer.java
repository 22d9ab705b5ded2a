package org.descent.job.score;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.descent.job.data.DataException;
import org.descent.job.data.BatchReader;
import org.descent.job.data.RowBlock;
import org.descent.job.data.ScoringBlock;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.Matrix;
import org.descent.math.nn.LossKind;
import org.descent.math.nn.Network;
import org.descent.math.nn.Targets;

/**
 * Distributed passes of a saved model over scaled {@link ScoringBlock}s. Each partition builds its
 * network and a workspace for {@link #CHUNK} rows once, then walks its block in chunks of consecutive
 * rows (copied column by column into a reusable buffer) and runs one forward pass (GEMMs) per chunk.
 */
public final class Scorer {
    static final int CHUNK = 2048;

    private final JavaSparkContext jsc;
    private final ModelArchitecture arch;
    private final double[] params;

    public Scorer(JavaSparkContext jsc, ModelArchitecture arch, double[] params) {
        this.jsc = jsc;
        this.arch = arch;
        this.params = params;
    }

    /** Rows with a (finite) label. */
    public static long labelledRows(JavaRDD<ScoringBlock> blocks) {
        return blocks.map(sb -> {
            long n = 0;
            for (double y : sb.block().labels) if (!Double.isNaN(y)) n++;
            return n;
        }).reduce(Long::sum);
    }

    /** Loss and metrics over every row (all must be labelled). */
    public ScoreMetrics evaluate(JavaRDD<ScoringBlock> blocks) {
        Broadcast<double[]> bc = jsc.broadcast(params);
        ModelArchitecture a = arch;
        try {
            List<ScoreMetrics> parts = blocks.mapPartitions(it -> {
                ScoreMetrics acc = new ScoreMetrics(a);
                Chunker ch = null;
                while (it.hasNext()) {
                    RowBlock b = it.next().block();
                    if (ch == null) ch = new Chunker(a, b.cols);
                    for (int start = 0; start < b.rows; start += CHUNK) {
                        int m = ch.load(b, start);
                        acc.lossMean.addSum(ch.reader.lossSum(ch.network, bc.value(), ch.ws), m);
                        acc.add(ch.reader.predict(ch.network, bc.value(), ch.ws), ch.y(), m);
                    }
                }
                return Collections.singletonList(acc).iterator();
            }).collect();
            ScoreMetrics total = new ScoreMetrics(arch);
            for (ScoreMetrics p : parts) total.merge(p);
            return total;
        } finally {
            bc.destroy();
        }
    }

    /**
     * The prediction table: {@code idName} (string), {@code label} (when {@code withLabel}; null where
     * missing), {@code prediction} (class index for classifiers, value for regression) and for
     * classifiers {@code prob_0 .. prob_{k-1}} (logistic: prob_0 = 1 - p, prob_1 = p).
     */
    public StructType schema(String idName, boolean withLabel) {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField(idName, DataTypes.StringType, false));
        if (withLabel) f.add(DataTypes.createStructField("label", arch.isClassifier()
                ? DataTypes.IntegerType : DataTypes.DoubleType, true));
        f.add(DataTypes.createStructField("prediction", arch.isClassifier()
                ? DataTypes.IntegerType : DataTypes.DoubleType, false));
        if (arch.isClassifier()) {
            for (int c = 0; c < arch.numClasses(); c++) {
                f.add(DataTypes.createStructField("prob_" + c, DataTypes.DoubleType, false));
            }
        }
        return DataTypes.createStructType(f);
    }

    /** Rows matching {@link #schema}, in input order (partition order, then row order). */
    public JavaRDD<Row> predictions(JavaRDD<ScoringBlock> blocks, boolean withLabel) {
        Broadcast<double[]> bc = jsc.broadcast(params);
        ModelArchitecture a = arch;
        return blocks.mapPartitions(it -> {
            List<Row> rows = new ArrayList<>();
            Chunker ch = null;
            while (it.hasNext()) {
                ScoringBlock sb = it.next();
                RowBlock b = sb.block();
                if (ch == null) ch = new Chunker(a, b.cols);
                for (int start = 0; start < b.rows; start += CHUNK) {
                    int m = ch.load(b, start);
                    Matrix out = ch.reader.predict(ch.network, bc.value(), ch.ws);
                    for (int i = 0; i < m; i++) rows.add(row(a, sb.sourceIds()[start + i], ch.y()[i], out, i, withLabel));
                }
            }
            return rows.iterator();
        });
    }

    private static Row row(ModelArchitecture a, String id, double label, Matrix out, int i, boolean withLabel) {
        List<Object> v = new ArrayList<>();
        v.add(id);
        if (withLabel) v.add(Double.isNaN(label) ? null : a.isClassifier() ? (Object) (int) label : (Object) label);
        if (a.loss() == LossKind.MSE) {
            v.add(out.get(i, 0));
        } else if (a.loss() == LossKind.BCE_LOGITS) {
            double p = out.get(i, 0);
            v.add(p >= 0.5 ? 1 : 0);
            v.add(1 - p);
            v.add(p);
        } else {
            v.add(argmax(out, i));
            for (int c = 0; c < out.cols(); c++) v.add(out.get(i, c));
        }
        return RowFactory.create(v.toArray());
    }

    static int argmax(Matrix out, int i) {
        int best = 0;
        for (int c = 1; c < out.cols(); c++) if (out.get(i, c) > out.get(i, best)) best = c;
        return best;
    }

    /** Per-partition buffers: the network, its workspace, a chunk of features (dense copy or sparse view) and labels. */
    private static final class Chunker {
        final Network network;
        final Network.Workspace ws;
        final BatchReader reader;

        Chunker(ModelArchitecture a, int cols) {
            if (cols != a.numFeatures()) {
                throw new DataException("model expects " + a.numFeatures() + " features, data has " + cols);
            }
            this.network = a.toNetwork();
            this.ws = network.newWorkspace(CHUNK);
            this.reader = new BatchReader(CHUNK, cols);
        }

        /** Loads rows [start, start + m) of {@code b}; returns m. */
        int load(RowBlock b, int start) {
            int m = Math.min(CHUNK, b.rows - start);
            reader.load(b, start, m);
            return m;
        }

        double[] y() {
            return reader.labels();
        }
    }
}
