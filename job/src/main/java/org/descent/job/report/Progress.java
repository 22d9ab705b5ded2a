package org.descent.job.report;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.descent.job.exchange.StepFigures;
import org.descent.job.train.EpochListener;
import org.descent.job.train.EpochReport;
import org.descent.job.train.StepListener;

/**
 * The console progress of a run.
 * <ul>
 *   <li>Within an epoch, at most once per {@code intervalNanos}: {@code epoch 2/10  step 37/120  loss 0.41234
 *       (running)  5321 rows/s  ETA epoch 0:12  run 3:40}. In place ({@code \r}, padded) on a terminal,
 *       otherwise as plain lines.</li>
 *   <li>After each epoch: the epoch's summary line ({@link EpochReport#line()}) on its own line.</li>
 * </ul>
 * The running loss is the row-weighted mean of the epoch's step losses so far; rows/s counts the
 * epoch's rows over its elapsed time; ETA epoch = elapsed / stepsDone × stepsLeft in the epoch; ETA run
 * = mean time per step over the whole run × steps left in the run (validation time included, as the
 * mean absorbs it).
 */
public final class Progress implements StepListener, EpochListener {
    private final PrintWriter out;
    private final boolean inPlace;
    private final boolean stepLines;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private int epochs;
    private int steps;
    private long runStart;
    private long epochStart;
    private int currentEpoch = -1;
    private double lossWeighted;
    private long rows;
    private long lastPrint;
    private int lastWidth;

    /**
     * @param inPlace   rewrite one line with {@code \r} (a terminal)
     * @param stepLines false = only the per-epoch summary lines
     */
    public Progress(PrintWriter out, boolean inPlace, boolean stepLines, double intervalSeconds, LongSupplier nanoClock) {
        this.out = out;
        this.inPlace = inPlace;
        this.stepLines = stepLines;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
        this.nanoClock = nanoClock;
    }

    @Override
    public void onStart(int epochs, int stepsPerEpoch, long trainRows) {
        this.epochs = epochs;
        this.steps = stepsPerEpoch;
        runStart = nanoClock.getAsLong();
        lastPrint = runStart;
    }

    @Override
    public void onStep(int epoch, int step, StepFigures result) {
        long now = nanoClock.getAsLong();
        if (epoch != currentEpoch) {
            currentEpoch = epoch;
            epochStart = step == 0 ? lastEpochEnd(now) : now;
            lossWeighted = 0;
            rows = 0;
        }
        lossWeighted += result.loss() * result.rows();
        rows += result.rows();
        if (!stepLines || now - lastPrint < intervalNanos) return;
        lastPrint = now;
        String line = line(epoch, step, now);
        if (inPlace) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    private long epochEnd = -1;

    private long lastEpochEnd(long now) {
        return epochEnd >= 0 ? epochEnd : runStart;
    }

    /** The in-epoch line after {@code step} (0-based) of {@code epoch} at time {@code now}. */
    String line(int epoch, int step, long now) {
        int done = step + 1;
        double epochSecs = (now - epochStart) / 1e9;
        double runSecs = (now - runStart) / 1e9;
        long runDone = (long) epoch * steps + done;
        long runLeft = (long) epochs * steps - runDone;
        double etaEpoch = epochSecs / done * (steps - done);
        double etaRun = runSecs / runDone * runLeft;
        return String.format(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.5f  %.0f rows/s  ETA epoch %s  run %s",
                epoch + 1, epochs, done, steps, lossWeighted / Math.max(1, rows),
                epochSecs > 0 ? rows / epochSecs : 0.0, clock(etaEpoch), clock(etaRun));
    }

    @Override
    public void onEpoch(EpochReport report, Map<String, Double> metrics, double[] params, long globalStep) {
        epochEnd = nanoClock.getAsLong();
        if (inPlace && lastWidth > 0) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
        }
        out.println(report.line());
        out.flush();
    }

    /** {@code m:ss} or {@code h:mm:ss}. */
    static String clock(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
