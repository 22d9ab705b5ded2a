package org.descent.job.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.Matrix;
import org.descent.math.metrics.BinaryMetrics;
import org.descent.math.metrics.LossMean;
import org.descent.math.metrics.MulticlassMetrics;
import org.descent.math.metrics.RegressionMetrics;
import org.descent.math.nn.LossKind;

/**
 * Mergeable figures of a model on labelled data, one per partition, merged on the driver in partition
 * order: the mean training loss ({@link LossMean}) plus, by model type,
 * <ul>
 *   <li>multiclass (softmax CE): accuracy, confusion matrix {@code [actual][predicted]}, per-class
 *       precision/recall/F1 ({@link MulticlassMetrics}; the predicted class is the argmax probability);</li>
 *   <li>binary (logistic): log-loss, accuracy (p ≥ 0.5) and histogram ROC AUC with its error bound
 *       ({@link BinaryMetrics});</li>
 *   <li>regression (MSE): RMSE, MAE, R² ({@link RegressionMetrics}).</li>
 * </ul>
 * {@link #toJson} writes NaN (undefined, e.g. precision of a class never predicted) as null.
 */
public final class ScoreMetrics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LossKind loss;
    private final LossMean lossMean = new LossMean();
    private final MulticlassMetrics multiclass;
    private final BinaryMetrics binary;
    private final RegressionMetrics regression;

    public ScoreMetrics(ModelArchitecture arch) {
        loss = arch.loss();
        multiclass = loss == LossKind.SOFTMAX_CE ? new MulticlassMetrics(arch.numClasses()) : null;
        binary = loss == LossKind.BCE_LOGITS ? new BinaryMetrics() : null;
        regression = loss == LossKind.MSE ? new RegressionMetrics() : null;
    }

    /** Adds the outputs {@code out} (probabilities or values, m x outputs) of labels {@code y[0..m)}. */
    void add(Matrix out, double[] y, int m) {
        for (int i = 0; i < m; i++) {
            switch (loss) {
                case SOFTMAX_CE -> multiclass.add((int) y[i], Scorer.argmax(out, i));
                case BCE_LOGITS -> binary.add(out.get(i, 0), (int) y[i]);
                case MSE -> regression.add(out.get(i, 0), y[i]);
            }
        }
    }

    /** Adds a chunk's summed loss over {@code rows} rows. */
    void addLoss(double lossSum, long rows) {
        lossMean.addSum(lossSum, rows);
    }

    public ScoreMetrics merge(ScoreMetrics o) {
        lossMean.merge(o.lossMean);
        if (multiclass != null) multiclass.merge(o.multiclass);
        if (binary != null) binary.merge(o.binary);
        if (regression != null) regression.merge(o.regression);
        return this;
    }

    public long rows() {
        return lossMean.count();
    }

    public double meanLoss() {
        return lossMean.mean();
    }

    public MulticlassMetrics multiclass() {
        return multiclass;
    }

    public BinaryMetrics binary() {
        return binary;
    }

    public RegressionMetrics regression() {
        return regression;
    }

    /**
     * The figures a training run and the publish gate use, prefixed (e.g. "validation"): {@code <prefix>Loss},
     * {@code Accuracy} (classifiers), {@code Auc} (binary), {@code Rmse} and {@code R2} (regression), {@code Rows}.
     */
    public Map<String, Double> asMap(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + "Loss", meanLoss());
        if (multiclass != null) {
            m.put(prefix + "Accuracy", multiclass.accuracy());
        } else if (binary != null) {
            m.put(prefix + "Accuracy", binary.accuracy());
            m.put(prefix + "Auc", binary.auc());
        } else {
            m.put(prefix + "Rmse", regression.rmse());
            m.put(prefix + "R2", regression.r2());
        }
        m.put(prefix + "Rows", (double) rows());
        return m;
    }

    /** The metrics as pretty JSON (see {@code docs/commands.md} for the fields). */
    public String toJson(String modelPath, String dataPath) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = mapper.createObjectNode();
        n.put("model", modelPath);
        n.put("data", dataPath);
        n.put("rows", rows());
        put(n, "loss", meanLoss());
        if (multiclass != null) {
            n.put("task", "multiclass");
            put(n, "accuracy", multiclass.accuracy());
            put(n, "macroPrecision", multiclass.macroPrecision());
            put(n, "macroRecall", multiclass.macroRecall());
            ArrayNode cm = n.putArray("confusionMatrix");
            for (long[] row : multiclass.confusionMatrix()) {
                ArrayNode r = cm.addArray();
                for (long c : row) r.add(c);
            }
            ArrayNode classes = n.putArray("perClass");
            for (int c = 0; c < multiclass.numClasses(); c++) {
                ObjectNode k = classes.addObject();
                k.put("class", c);
                put(k, "precision", multiclass.precision(c));
                put(k, "recall", multiclass.recall(c));
                put(k, "f1", multiclass.f1(c));
            }
        } else if (binary != null) {
            n.put("task", "binary");
            put(n, "logLoss", binary.logLoss());
            put(n, "accuracy", binary.accuracy());
            put(n, "auc", binary.auc());
            put(n, "aucErrorBound", binary.aucErrorBound());
            n.put("positives", binary.positives());
            n.put("negatives", binary.negatives());
        } else {
            n.put("task", "regression");
            put(n, "rmse", regression.rmse());
            put(n, "mae", regression.mae());
            put(n, "r2", regression.r2());
        }
        try {
            return mapper.writeValueAsString(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Human-readable summary lines. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(java.util.Locale.ROOT, "rows %d  loss %.6f%n", rows(), meanLoss()));
        if (multiclass != null) {
            b.append(String.format(java.util.Locale.ROOT, "accuracy %.4f  macro precision %.4f  macro recall %.4f%n",
                    multiclass.accuracy(), multiclass.macroPrecision(), multiclass.macroRecall()));
            b.append("confusion matrix (rows: actual, columns: predicted):\n");
            for (long[] row : multiclass.confusionMatrix()) {
                for (long c : row) b.append(String.format(java.util.Locale.ROOT, "%8d", c));
                b.append('\n');
            }
            for (int c = 0; c < multiclass.numClasses(); c++) {
                b.append(String.format(java.util.Locale.ROOT, "class %d  precision %.4f  recall %.4f  f1 %.4f%n",
                        c, multiclass.precision(c), multiclass.recall(c), multiclass.f1(c)));
            }
        } else if (binary != null) {
            b.append(String.format(java.util.Locale.ROOT, "log-loss %.6f  accuracy %.4f  AUC %.6f (± %.2g)%n",
                    binary.logLoss(), binary.accuracy(), binary.auc(), binary.aucErrorBound()));
        } else {
            b.append(String.format(java.util.Locale.ROOT, "RMSE %.6f  MAE %.6f  R² %.6f%n",
                    regression.rmse(), regression.mae(), regression.r2()));
        }
        return b.toString();
    }

    private static void put(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) n.put(key, v); else n.putNull(key);
    }
}
