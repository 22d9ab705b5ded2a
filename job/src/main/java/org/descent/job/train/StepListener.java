package org.descent.job.train;

import org.descent.job.exchange.StepFigures;

/** Observes every step on the driver, after its update (progress, benchmarks). */
@FunctionalInterface
public interface StepListener {
    void onStep(int epoch, int step, StepFigures figures);

    StepListener NONE = (e, s, f) -> { };
}
