package org.descent.job.score;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
import org.descent.math.nn.Precision;

/**
 * The one scoring path of a model on data: validation after each training epoch, {@code evaluate}, {@code predict}
 * and the publish gate. Each partition walks its blocks in chunks of up to {@link #CHUNK} consecutive rows (a dense
 * copy or a sparse view, {@link Chunker}) and runs one forward pass per chunk (for {@link #evaluate} the loss and the
 * outputs come from that one pass); {@link #evaluate} merges the partitions' {@link ScoreMetrics} on the driver in
 * partition order (deterministic). Float64, except a training run's validation ({@link #forValidation}).
 *
 * <p>Call order: construct per model architecture ({@link #Scorer} or {@link #forValidation}); {@link #evaluate} any
 * number of times (each partition's buffers, and what it keeps, are allocated by its first pass and reused,
 * {@link ExecutorCache}); {@link #close} releases them.
 */
public final class Scorer implements AutoCloseable {
    static final int CHUNK = 2048;
    /**
     * The parameters of the {@link #evaluate} passes running now, by pass key, for tasks in the driver's JVM (local
     * mode): they read them from here instead of from a broadcast, which would compress a copy into the block manager
     * on every pass (issue 17: 10-30 ms of a validation pass of the Fashion-MNIST MLP's 235k parameters).
     */
    private static final ConcurrentHashMap<String, double[]> IN_JVM_PARAMS = new ConcurrentHashMap<>();

    private final JavaSparkContext jsc;
    private final ModelArchitecture arch;
    private final Precision precision;
    /** Feature values each partition (and the driver) keeps laid out for the pass ({@link Chunker}); 0 = none. */
    private final long keepValues;
    private final String runId = "descent-score-" + UUID.randomUUID();
    private JavaRDD<?> lastBlocks;
    private long passes;

    /** A scorer computing in float64 ({@code evaluate}, {@code predict}, the publish gate); it keeps nothing. */
    public Scorer(JavaSparkContext jsc, ModelArchitecture arch) {
        this(jsc, arch, Precision.FLOAT64, 0);
    }

    private Scorer(JavaSparkContext jsc, ModelArchitecture arch, Precision precision, long keepValues) {
        this.jsc = jsc;
        this.arch = arch;
        this.precision = precision;
        this.keepValues = keepValues;
    }

    /**
     * The scorer of a training run's validation, which evaluates the same blocks after every epoch: its
     * {@link #evaluate} passes compute in {@code precision} (the run's {@code training.precision}, as PyTorch evaluates
     * in the training dtype: float32 halves the GEMM time and moves the figures in their last digits; float64 gives
     * the bits it always gave), and each partition keeps up to {@code keepValues} feature values of its dense blocks
     * laid out for the pass after the first one (no row copy per epoch; {@link Chunker}) until {@link #close}.
     * {@link #predictions} still computes in float64.
     */
    public static Scorer forValidation(JavaSparkContext jsc, ModelArchitecture arch, Precision precision,
                                       long keepValues) {
        return new Scorer(jsc, arch, precision, keepValues);
    }

    /** Rows with a (finite) label. */
    public static long labelledRows(JavaRDD<ScoringBlock> blocks) {
        return blocks.map(sb -> {
            long n = 0;
            for (double y : sb.block().labels) if (!Double.isNaN(y)) n++;
            return n;
        }).reduce(Long::sum);
    }

    /**
     * Loss and metrics of {@code params} over every row of {@code blocks} (all must be labelled). The parameters reach
     * the tasks by broadcast, or in local mode (the tasks run in this JVM) by {@link #IN_JVM_PARAMS}. A training run's
     * validation set held in the driver's JVM is scored by {@link HeldValidation} instead, with the same bits.
     */
    public ScoreMetrics evaluate(JavaRDD<RowBlock> blocks, double[] params, String description) {
        boolean inJvm = jsc.sc().isLocal();
        String passKey = runId + "/pass-" + passes++;
        Broadcast<double[]> bc = inJvm ? null : jsc.broadcast(params.clone());
        if (inJvm) IN_JVM_PARAMS.put(passKey, params.clone());
        lastBlocks = blocks;
        try {
            jsc.setJobDescription(description);
            EvalTask task = new EvalTask(runId + "/blocks-" + blocks.id(), arch, precision, keepValues, bc, passKey);
            List<ScoreMetrics> parts = blocks.mapPartitionsWithIndex(task, false).collect();
            ScoreMetrics total = new ScoreMetrics(arch);
            for (ScoreMetrics p : parts) total.merge(p);
            return total;
        } finally {
            if (bc != null) bc.destroy();
            IN_JVM_PARAMS.remove(passKey);
        }
    }

    @Override
    public void close() {
        if (lastBlocks != null) ExecutorCache.releaseEverywhere(jsc, lastBlocks, runId);
        else ExecutorCache.release(runId);
    }

    /**
     * One partition's pass: its cached {@link Chunker} (one per partition of these blocks: {@code key} names the RDD,
     * so what it keeps belongs to them) scores every block into a fresh accumulator.
     */
    private static final class EvalTask implements Function2<Integer, Iterator<RowBlock>, Iterator<ScoreMetrics>> {
        private static final long serialVersionUID = 1L;
        private final String key;
        private final ModelArchitecture arch;
        private final Precision precision;
        private final long keepValues;
        /** The broadcast parameters, or null: they are in {@link #IN_JVM_PARAMS} under {@code passKey}. */
        private final Broadcast<double[]> params;
        private final String passKey;

        EvalTask(String key, ModelArchitecture arch, Precision precision, long keepValues, Broadcast<double[]> params,
                 String passKey) {
            this.key = key;
            this.arch = arch;
            this.precision = precision;
            this.keepValues = keepValues;
            this.params = params;
            this.passKey = passKey;
        }

        private double[] params() {
            double[] p = params != null ? params.value() : IN_JVM_PARAMS.get(passKey);
            if (p == null) { // only a late (speculative) copy of a task whose pass has ended: its result is not used
                throw new IllegalStateException("validation pass " + passKey + " has ended: no parameters for it");
            }
            return p;
        }

        @Override
        public Iterator<ScoreMetrics> call(Integer partition, Iterator<RowBlock> it) {
            ScoreMetrics acc = new ScoreMetrics(arch);
            double[] p = it.hasNext() ? params() : null;
            for (int i = 0; it.hasNext(); i++) {
                RowBlock b = it.next();
                Chunker ch = ExecutorCache.get(key, "score", partition,
                        () -> new Chunker(arch, b.cols, precision, keepValues));
                synchronized (ch) {
                    ch.score(i, b, p, acc);
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
                if (ch == null) ch = new Chunker(a, b.cols, Precision.FLOAT64);
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
