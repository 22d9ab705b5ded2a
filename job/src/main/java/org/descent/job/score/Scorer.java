package org.descent.job.score;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.descent.job.data.RowBlock;
import org.descent.job.data.ScoringBlock;
import org.descent.job.exchange.ExecutorCache;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.Matrix;
import org.descent.math.nn.LossKind;

/**
 * The one scoring path of a model on data: validation after each training epoch, {@code evaluate}, {@code predict}
 * and the publish gate. Each partition walks its blocks in chunks of up to {@link #CHUNK} consecutive rows (a dense
 * copy or a sparse view, {@link Chunker}) and runs one forward pass per chunk; {@link #evaluate} merges the
 * partitions' {@link ScoreMetrics} on the driver in partition order (deterministic).
 *
 * <p>Call order: construct per model architecture; {@link #evaluate} any number of times (each partition's buffers
 * are allocated by its first pass and reused, {@link ExecutorCache}); {@link #close} releases them.
 */
public final class Scorer implements AutoCloseable {
    static final int CHUNK = 2048;

    private final JavaSparkContext jsc;
    private final ModelArchitecture arch;
    private final String runId = "descent-score-" + UUID.randomUUID();
    private JavaRDD<?> lastBlocks;
    /** The driver's buffers for {@link #evaluate(List, double[])}, made on first use. */
    private Chunker driverChunker;

    public Scorer(JavaSparkContext jsc, ModelArchitecture arch) {
        this.jsc = jsc;
        this.arch = arch;
    }

    /** Rows with a (finite) label. */
    public static long labelledRows(JavaRDD<ScoringBlock> blocks) {
        return blocks.map(sb -> {
            long n = 0;
            for (double y : sb.block().labels) if (!Double.isNaN(y)) n++;
            return n;
        }).reduce(Long::sum);
    }

    /** Loss and metrics of {@code params} over every row of {@code blocks} (all must be labelled). */
    public ScoreMetrics evaluate(JavaRDD<RowBlock> blocks, double[] params, String description) {
        Broadcast<double[]> bc = jsc.broadcast(params.clone());
        lastBlocks = blocks;
        try {
            jsc.setJobDescription(description);
            List<ScoreMetrics> parts = blocks.mapPartitionsWithIndex(new EvalTask(runId, arch, bc), false).collect();
            ScoreMetrics total = new ScoreMetrics(arch);
            for (ScoreMetrics p : parts) total.merge(p);
            return total;
        } finally {
            bc.destroy();
        }
    }

    /**
     * As {@link #evaluate} over blocks held on the driver, one per partition in partition order (a small validation
     * set: no Spark job, no broadcast): the same chunks, the same accumulators merged in the same order, so the same
     * figures bit for bit.
     */
    public ScoreMetrics evaluate(List<RowBlock> blocks, double[] params) {
        ScoreMetrics total = new ScoreMetrics(arch);
        for (RowBlock b : blocks) {
            if (driverChunker == null) driverChunker = new Chunker(arch, b.cols);
            ScoreMetrics acc = new ScoreMetrics(arch);
            driverChunker.score(b, params, acc);
            total.merge(acc);
        }
        return total;
    }

    @Override
    public void close() {
        if (lastBlocks != null) ExecutorCache.releaseEverywhere(jsc, lastBlocks, runId);
        else ExecutorCache.release(runId);
    }

    /** One partition's pass: its cached {@link Chunker} scores every block into a fresh accumulator. */
    private static final class EvalTask implements Function2<Integer, Iterator<RowBlock>, Iterator<ScoreMetrics>> {
        private static final long serialVersionUID = 1L;
        private final String runId;
        private final ModelArchitecture arch;
        private final Broadcast<double[]> params;

        EvalTask(String runId, ModelArchitecture arch, Broadcast<double[]> params) {
            this.runId = runId;
            this.arch = arch;
            this.params = params;
        }

        @Override
        public Iterator<ScoreMetrics> call(Integer partition, Iterator<RowBlock> it) {
            ScoreMetrics acc = new ScoreMetrics(arch);
            while (it.hasNext()) {
                RowBlock b = it.next();
                Chunker ch = ExecutorCache.get(runId, "score", partition, () -> new Chunker(arch, b.cols));
                synchronized (ch) {
                    ch.score(b, params.value(), acc);
                }
            }
            return Collections.singletonList(acc).iterator();
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
    public JavaRDD<Row> predictions(JavaRDD<ScoringBlock> blocks, double[] params, boolean withLabel) {
        Broadcast<double[]> bc = jsc.broadcast(params.clone());
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
                    for (int i = 0; i < m; i++) {
                        rows.add(row(a, sb.sourceIds()[start + i], ch.labels()[i], out, i, withLabel));
                    }
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
}
