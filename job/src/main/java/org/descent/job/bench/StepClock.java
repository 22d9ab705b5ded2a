package org.descent.job.bench;

import java.util.ArrayList;
import java.util.List;
import org.descent.job.exchange.StepResult;
import org.descent.job.exchange.StepTiming;
import org.descent.job.train.StepListener;

/**
 * A {@link StepListener} that keeps, per epoch, every step's {@link StepTiming} and the driver time between
 * consecutive {@code onStep} calls (= one whole step: exchange plus the driver's regularisation, clipping and
 * optimizer update). The first step of an epoch has no such interval (validation runs between epochs), so
 * its length is taken as its exchange wall time plus the epoch's median driver update.
 */
public final class StepClock implements StepListener {
    /** One epoch's per-step figures, in nanoseconds. */
    public static final class Epoch {
        public final List<StepTiming> timings = new ArrayList<>();
        /** Driver time between onStep(k-1) and onStep(k), k >= 1. */
        public final List<Long> intervals = new ArrayList<>();
        public long rows;
    }

    private final List<Epoch> epochs = new ArrayList<>();
    private long last;

    @Override
    public void onStep(int epoch, int step, StepResult result, double loss, double gradNorm) {
        long now = System.nanoTime();
        while (epochs.size() <= epoch) epochs.add(new Epoch());
        Epoch e = epochs.get(epoch);
        if (step > 0) e.intervals.add(now - last);
        e.timings.add(result.timing());
        e.rows += result.rows();
        last = now;
    }

    public List<Epoch> epochs() {
        return epochs;
    }
}
