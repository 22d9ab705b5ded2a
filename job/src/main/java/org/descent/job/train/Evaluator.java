package org.descent.job.train;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.descent.job.data.BatchReader;
import org.descent.job.data.RowBlock;
import org.descent.job.exchange.ExecutorCache;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Network;

/**
 * A distributed evaluation pass: each partition walks its block in chunks of up to {@link #CHUNK}
 * consecutive rows (copied column by column into a reusable buffer), computes {@code lossSum} and
 * {@code predict} on each chunk (GEMMs) and feeds the metric accumulator; the driver merges the
 * partials in partition order (deterministic).
 */
public final class Evaluator implements AutoCloseable {
    static final int CHUNK = 2048;

    private final JavaSparkContext jsc;
    private final ModelArchitecture architecture;
    private final String runId = "descent-eval-" + UUID.randomUUID();
    private JavaRDD<RowBlock> lastBlocks;

    public Evaluator(JavaSparkContext jsc, ModelArchitecture architecture) {
        this.jsc = jsc;
        this.architecture = architecture;
    }

    /** Loss and metrics of {@code params} on {@code blocks}. */
    EvalAccumulator evaluate(JavaRDD<RowBlock> blocks, double[] params, String description) {
        Broadcast<double[]> bc = jsc.broadcast(params.clone());
        lastBlocks = blocks;
        try {
            jsc.setJobDescription(description);
            List<EvalAccumulator> parts = blocks.mapPartitionsWithIndex(
                    new EvalTask(runId, architecture, bc), false).collect();
            EvalAccumulator total = new EvalAccumulator(architecture);
            for (EvalAccumulator p : parts) {
                total.merge(p);
            }
            return total;
        } finally {
            bc.destroy();
        }
    }

    @Override
    public void close() {
        if (lastBlocks != null) ExecutorCache.releaseEverywhere(jsc, lastBlocks, runId);
        else ExecutorCache.release(runId);
    }

    private static final class EvalTask implements Function2<Integer, Iterator<RowBlock>, Iterator<EvalAccumulator>> {
        private static final long serialVersionUID = 1L;
        private final String runId;
        private final ModelArchitecture architecture;
        private final Broadcast<double[]> params;

        EvalTask(String runId, ModelArchitecture architecture, Broadcast<double[]> params) {
            this.runId = runId;
            this.architecture = architecture;
            this.params = params;
        }

        private static final class State {
            final Network network;
            final Network.Workspace ws;
            final BatchReader reader;

            State(ModelArchitecture a, int cols) {
                network = a.toNetwork();
                ws = network.newWorkspace(CHUNK); // float64 always, whatever training.precision (comparable metrics)
                reader = new BatchReader(CHUNK, cols); // dense chunk copies or sparse views
            }
        }

        @Override
        public Iterator<EvalAccumulator> call(Integer partition, Iterator<RowBlock> it) {
            EvalAccumulator acc = new EvalAccumulator(architecture);
            if (!it.hasNext()) return Collections.singletonList(acc).iterator();
            RowBlock b = it.next();
            if (b.cols != architecture.numFeatures()) {
                throw new IllegalArgumentException("evaluation block has " + b.cols + " features, the model "
                        + architecture.numFeatures());
            }
            State st = ExecutorCache.get(runId, "eval", partition, () -> new State(architecture, b.cols));
            synchronized (st) {
                double[] p = params.value();
                for (int start = 0; start < b.rows; start += CHUNK) {
                    int m = Math.min(CHUNK, b.rows - start);
                    st.reader.load(b, start, m);
                    acc.lossSum += st.reader.lossSum(st.network, p, st.ws);
                    acc.rows += m;
                    acc.add(st.reader.predict(st.network, p, st.ws), st.reader.labels(), m);
                }
            }
            return Collections.singletonList(acc).iterator();
        }
    }
}
