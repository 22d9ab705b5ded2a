package org.descent.job.exchange;

/** Receives every step of a {@link StepEngine#run}, in order, after its optimizer update (driver side). */
@FunctionalInterface
public interface StepSink {
    /** {@code figures} carries the step's rows, loss, update outcome and times; a sink that throws stops the run. */
    void onStep(int epoch, int step, StepFigures figures);
}
