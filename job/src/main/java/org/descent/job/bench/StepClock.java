package org.descent.job.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.descent.job.exchange.StepFigures;
import org.descent.job.train.EpochListener;
import org.descent.job.train.EpochReport;
import org.descent.job.train.StepListener;

/**
 * Keeps, per epoch, every step's {@link StepFigures} (compute, exchange and update time, measured where they happen:
 * on the driver for broadcast-collect, in the tasks for allreduce) and row count, and splits the epoch's driver
 * wall time into training (from the epoch's start to its last step reaching the driver, job launches included)
 * and the rest (validation pass, epoch bookkeeping).
 */
public final class StepClock implements StepListener, EpochListener {
    /** One epoch's per-step figures, in nanoseconds. */
    public static final class Epoch {
        public final List<StepFigures> timings = new ArrayList<>();
        public long rows;
        /** Driver wall time of the epoch's training steps, and of what followed them (validation, reports). */
        public long trainNanos;
        public long afterNanos;
    }

    private final List<Epoch> epochs = new ArrayList<>();
    private long mark = System.nanoTime();
    private long lastStep;
    /** Wall clock (ms since the epoch) when training started (data cached) and when the first step reached the driver; 0 before. */
    private long startMillis;
    private long firstStepMillis;

    @Override
    public void onStart(int epochCount, int stepsPerEpoch, long trainRows) {
        mark = System.nanoTime();
        if (startMillis == 0) startMillis = System.currentTimeMillis();
    }

    @Override
    public void onStep(int epoch, int step, StepFigures result) {
        while (epochs.size() <= epoch) epochs.add(new Epoch());
        Epoch e = epochs.get(epoch);
        e.timings.add(result);
        e.rows += result.rows();
        lastStep = System.nanoTime();
        if (firstStepMillis == 0) firstStepMillis = System.currentTimeMillis();
    }

    @Override
    public void onEpoch(EpochReport report, Map<String, Double> metrics, double[] params, long globalStep) {
        long now = System.nanoTime();
        if (report.epoch() < epochs.size()) {
            Epoch e = epochs.get(report.epoch());
            e.trainNanos = lastStep - mark;
            e.afterNanos = now - lastStep;
        }
        mark = now;
    }

    /** Wall clock (ms) of {@link #onStart}: the data is cached, the first step is about to run; 0 before. */
    public long startMillis() {
        return startMillis;
    }

    /** Wall clock (ms) when the first step's figures reached the driver; 0 before. */
    public long firstStepMillis() {
        return firstStepMillis;
    }

    public List<Epoch> epochs() {
        return epochs;
    }
}
