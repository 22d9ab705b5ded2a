package org.descent.job.train;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.Matrix;
import org.descent.math.metrics.BinaryMetrics;
import org.descent.math.metrics.MulticlassMetrics;
import org.descent.math.metrics.RegressionMetrics;
import org.descent.math.nn.LossKind;

/**
 * Mergeable evaluation figures of one pass: summed loss and rows, plus the task's metric accumulator
 * from common-math (multiclass: argmax of the softmax output; binary: sigmoid probability ≥ 0.5, plus
 * AUC; regression: RMSE). Partials are merged on the driver in partition order.
 */
final class EvalAccumulator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LossKind loss;
    double lossSum;
    long rows;
    private final MulticlassMetrics multiclass;
    private final BinaryMetrics binary;
    private final RegressionMetrics regression;

    EvalAccumulator(ModelArchitecture arch) {
        loss = arch.loss();
        multiclass = loss == LossKind.SOFTMAX_CE ? new MulticlassMetrics(arch.numClasses()) : null;
        binary = loss == LossKind.BCE_LOGITS ? new BinaryMetrics() : null;
        regression = loss == LossKind.MSE ? new RegressionMetrics() : null;
    }

    /** Adds the model outputs {@code out} (m x outputs) for labels {@code y[0..m)}. */
    void add(Matrix out, double[] y, int m) {
        for (int i = 0; i < m; i++) {
            switch (loss) {
                case SOFTMAX_CE -> {
                    int best = 0;
                    double bestP = out.get(i, 0);
                    for (int c = 1; c < out.cols(); c++) {
                        double p = out.get(i, c);
                        if (p > bestP) {
                            bestP = p;
                            best = c;
                        }
                    }
                    multiclass.add((int) y[i], best);
                }
                case BCE_LOGITS -> binary.add(out.get(i, 0), (int) y[i]);
                case MSE -> regression.add(out.get(i, 0), y[i]);
            }
        }
    }

    EvalAccumulator merge(EvalAccumulator o) {
        lossSum += o.lossSum;
        rows += o.rows;
        if (multiclass != null) multiclass.merge(o.multiclass);
        if (binary != null) binary.merge(o.binary);
        if (regression != null) regression.merge(o.regression);
        return this;
    }

    double meanLoss() {
        return rows == 0 ? Double.NaN : lossSum / rows;
    }

    /** The headline metric: accuracy for classifiers, RMSE for regression. */
    double metric() {
        if (multiclass != null) return multiclass.accuracy();
        if (binary != null) return binary.accuracy();
        return regression.rmse();
    }

    String metricName() {
        return regression != null ? "rmse" : "accuracy";
    }

    /** Named figures for metadata.json, prefixed (e.g. "validation"). */
    Map<String, Double> asMap(String prefix) {
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
        m.put(prefix + "Rows", (double) rows);
        return m;
    }
}
