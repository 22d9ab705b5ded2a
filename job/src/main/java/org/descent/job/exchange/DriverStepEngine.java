package org.descent.job.exchange;

import org.descent.math.nn.ParameterLayout;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;
import org.descent.math.optim.RowSparseUpdate;

/**
 * {@code training.exchange = broadcast-collect}: one Spark job per step through a {@link GradientExchange}
 * (params broadcast, partial sums collected and added on the driver in partition order), then the optimizer
 * step on the driver. The driver holds the exact state after every step, so a segment is one step.
 */
public final class DriverStepEngine implements StepEngine {
    private final GradientExchange exchange;
    private final MiniBatchUpdate update;
    private final ParameterLayout layout;
    private final double[] grad;
    private final double[] gradSum;
    private final int stepsPerEpoch;
    /** Sparse steps with plain SGD or Adagrad: the exact row-sparse update ({@link RowSparseUpdate}); else null. */
    private RowSparseUpdate rowUpdate;

    /** {@code stepsPerEpoch} gives the optimizer's global step index {@code t = epoch * stepsPerEpoch + step}. */
    public DriverStepEngine(GradientExchange exchange, MiniBatchUpdate update, ParameterLayout layout, int stepsPerEpoch) {
        this.stepsPerEpoch = stepsPerEpoch;
        this.exchange = exchange;
        this.update = update;
        this.layout = layout;
        this.grad = new double[layout.size()];
        this.gradSum = new double[layout.size()];
    }

    @Override
    public String name() {
        return "broadcast-collect";
    }

    @Override
    public int segmentEnd(int epoch, int from, int steps, long stateEvery) {
        return from + 1;
    }

    @Override
    public void run(int epoch, int from, int to, double[] params, Optimizer optimizer, StepSink sink) {
        for (int step = from; step < to; step++) {
            StepFigures f = exchange.computeAndAggregate(params, epoch, step, gradSum);
            long t = (long) epoch * stepsPerEpoch + step;
            long u0 = System.nanoTime();
            int[] rows = exchange.touchedRows();
            MiniBatchUpdate.Outcome o = rows != null && RowSparseUpdate.applies(update, optimizer)
                    ? rowUpdate(rows).apply(params, gradSum, f.lossSum(), f.rows(), t, optimizer, rows,
                            exchange.touchedCount())
                    : denseUpdate(params, f, t, optimizer);
            sink.onStep(epoch, step, f.updated(o, System.nanoTime() - u0));
        }
    }

    private MiniBatchUpdate.Outcome denseUpdate(double[] params, StepFigures f, long t, Optimizer optimizer) {
        rowUpdate = null; // its scratch gradient's zeros are no longer known to match
        return update.apply(params, gradSum, f.lossSum(), f.rows(), t, optimizer, layout, grad);
    }

    /** The row-sparse update (one per engine: it keeps its scratch gradient zero outside the last step's rows). */
    private RowSparseUpdate rowUpdate(int[] rows) {
        if (rowUpdate == null) {
            ParameterLayout.Segment w1 = layout.weight(0);
            rowUpdate = new RowSparseUpdate(update, layout, w1.rows(), w1.cols());
        }
        return rowUpdate;
    }

    @Override
    public void close() {
        exchange.close();
    }
}
