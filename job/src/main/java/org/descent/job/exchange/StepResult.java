package org.descent.job.exchange;

/**
 * One step's aggregate over all partitions: the SUM of per-example gradients ({@code gradSum}, the
 * parameter layout), the summed loss and the number of rows. {@code visitedIds} is null unless visit
 * recording is on (tests): then it holds, per partition in index order, the ids of the rows used.
 * {@code timing} says where the step's time went ({@link StepTiming#NONE} if not measured).
 */
public record StepResult(double[] gradSum, double lossSum, long rows, long[][] visitedIds, StepTiming timing) {

    /** A result without timing figures. */
    public StepResult(double[] gradSum, double lossSum, long rows, long[][] visitedIds) {
        this(gradSum, lossSum, rows, visitedIds, StepTiming.NONE);
    }
}
