package org.descent.job.exchange;

import org.descent.math.nn.ParameterLayout;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.math.optim.Optimizer;

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
            MiniBatchUpdate.Outcome o = update.apply(params, gradSum, f.lossSum(), f.rows(), t, optimizer, layout, grad);
            sink.onStep(epoch, step, f.updated(o, System.nanoTime() - u0));
        }
    }

    @Override
    public void close() {
        exchange.close();
    }
}
