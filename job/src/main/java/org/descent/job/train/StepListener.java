package org.descent.job.train;

import org.descent.job.exchange.StepResult;

/** Observes every step on the driver (progress, tests counting row visits). */
@FunctionalInterface
public interface StepListener {
    void onStep(int epoch, int step, StepResult result, double loss, double gradNorm);

    StepListener NONE = (e, s, r, l, g) -> { };
}
