package org.descent.job.bench;

import java.util.ArrayList;
import java.util.List;
import org.descent.job.exchange.StepResult;
import org.descent.job.exchange.StepTiming;
import org.descent.job.train.StepListener;

/**
 * A {@link StepListener} that keeps, per epoch, every step's {@link StepTiming} (compute, exchange and update time,
 * measured where they happen: on the driver for broadcast-collect, in the tasks for allreduce) and row count.
 */
public final class StepClock implements StepListener {
    /** One epoch's per-step figures, in nanoseconds. */
    public static final class Epoch {
        public final List<StepTiming> timings = new ArrayList<>();
        public long rows;
    }

    private final List<Epoch> epochs = new ArrayList<>();

    @Override
    public void onStep(int epoch, int step, StepResult result, double loss, double gradNorm) {
        while (epochs.size() <= epoch) epochs.add(new Epoch());
        Epoch e = epochs.get(epoch);
        e.timings.add(result.timing());
        e.rows += result.rows();
    }

    public List<Epoch> epochs() {
        return epochs;
    }
}
