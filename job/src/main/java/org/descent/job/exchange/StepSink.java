package org.descent.job.exchange;

import org.descent.math.optim.MiniBatchUpdate;

/** Receives every step of a {@link StepEngine#run}, in order, after its optimizer update (driver side). */
@FunctionalInterface
public interface StepSink {
    /**
     * @param result  the step's row count, loss sum and timing (and, for the driver engine, the summed gradient)
     * @param outcome loss, pre-clip norm, learning rate and status of the update; a sink that throws on a
     *                non-OK status stops the run
     */
    void onStep(int epoch, int step, StepResult result, MiniBatchUpdate.Outcome outcome);
}
