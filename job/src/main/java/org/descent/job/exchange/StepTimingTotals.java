package org.descent.job.exchange;

import java.util.Locale;

/**
 * Running totals of {@link StepFigures}' times (e.g. per epoch, on the driver): {@link #add} after every step,
 * {@link #summary()} for a log line, {@link #reset()} between epochs. Not thread-safe.
 */
public final class StepTimingTotals {
    private long steps;
    private long wall;
    private long computeMax;
    private long computeSum;
    private long fetchMax;
    private long driverSum;
    private long rows;
    private long update;

    public void add(StepFigures t) {
        steps++;
        wall += t.wallNanos();
        computeMax += t.computeMaxNanos();
        computeSum += t.computeSumNanos();
        fetchMax += t.fetchMaxNanos();
        driverSum += t.driverSumNanos();
        rows += t.rows();
        update += t.updateNanos();
    }

    public void reset() {
        steps = wall = computeMax = computeSum = fetchMax = driverSum = rows = update = 0;
    }

    public long steps() { return steps; }
    public long rows() { return rows; }
    public long wallNanos() { return wall; }
    public long computeMaxNanos() { return computeMax; }
    public long computeSumNanos() { return computeSum; }
    public long fetchMaxNanos() { return fetchMax; }
    public long driverSumNanos() { return driverSum; }
    public long exchangeNanos() { return wall - computeMax; }
    public long updateNanos() { return update; }

    /** Mean milliseconds per step of a total (NaN without steps). */
    public double msPerStep(long totalNanos) {
        return steps == 0 ? Double.NaN : totalNanos / 1e6 / steps;
    }

    /** e.g. {@code "469 steps, 85.1 ms/step = compute 40.2 (max over tasks; sum 150.3) + exchange/scheduling 44.9"}. */
    public String summary() {
        return String.format(Locale.ROOT,
                "%d steps, %.1f ms/step = compute %.1f (max over tasks; sum %.1f) + exchange/scheduling %.1f"
                        + " (param fetch %.1f, driver sum %.1f); update %.1f",
                steps, msPerStep(wall), msPerStep(computeMax), msPerStep(computeSum), msPerStep(exchangeNanos()),
                msPerStep(fetchMax), msPerStep(driverSum), msPerStep(update));
    }
}
