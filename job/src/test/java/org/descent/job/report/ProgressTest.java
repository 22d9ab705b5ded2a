package org.descent.job.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.descent.job.exchange.StepFigures;
import org.descent.math.optim.MiniBatchUpdate;
import org.descent.job.train.EpochReport;
import org.junit.jupiter.api.Test;

/** The progress line on a fake clock: rate limiting, running loss, rows/s and ETAs. */
class ProgressTest {
    private long now;

    private static StepFigures step(long rows, double loss) {
        return StepFigures.summed(rows, loss * rows, 0, 0, 0, 0, 0, 1)
                .updated(new MiniBatchUpdate.Outcome(loss, 1, 0.01, MiniBatchUpdate.Status.OK), 0);
    }

    @Test
    void givenPlainModeAnd10sInterval_whenStepsTake2sEach_thenALineEvery10sWithEtas() {
        StringWriter buf = new StringWriter();
        Progress p = new Progress(new PrintWriter(buf), false, true, 10, () -> now);
        p.onStart(2, 10, 1000);
        for (int s = 0; s < 10; s++) {
            now += 2_000_000_000L;
            p.onStep(0, s, step(100, s < 5 ? 1.0 : 0.5));
        }
        String[] lines = buf.toString().split("\n");
        assertEquals(2, lines.length, buf.toString()); // at 10 s and 20 s
        // after step 5 (10 s): loss mean 1.0, 500 rows / 10 s, 5 steps left in the epoch at 2 s = 10 s, 15 in the run = 30 s
        assertEquals("epoch 1/2  step 5/10  loss 1.00000  50 rows/s  ETA epoch 0:10  run 0:30", lines[0]);
        assertEquals("epoch 1/2  step 10/10  loss 0.75000  50 rows/s  ETA epoch 0:00  run 0:20", lines[1]);
        p.onEpoch(new EpochReport(0, 2, 0.75, Double.NaN, Double.NaN, "accuracy", 20, 20, 0, 50, 0.01, 1, Map.of(),
                java.time.Instant.EPOCH, 20), Map.of(), null, 10);
        assertTrue(buf.toString().endsWith("epoch 1/2  train loss 0.75000  time 20.0s  50 rows/s  lr 0.01000\n"), buf.toString());
    }

    @Test
    void givenTerminalMode_whenPrinting_thenLinesAreRewrittenInPlaceAndClearedBeforeTheSummary() {
        StringWriter buf = new StringWriter();
        Progress p = new Progress(new PrintWriter(buf), true, true, 1, () -> now);
        p.onStart(1, 3, 30);
        for (int s = 0; s < 3; s++) {
            now += 1_500_000_000L;
            p.onStep(0, s, step(10, 0.5));
        }
        p.onEpoch(new EpochReport(0, 1, 0.5, 0.4, 0.9, "accuracy", 4.5, 4.0, 0.5, 6.7, 0.01, 1, Map.of(),
                java.time.Instant.EPOCH, 4.5), Map.of(), null, 3);
        String s = buf.toString();
        assertEquals(3 + 2, s.chars().filter(c -> c == '\r').count(), "3 in-place lines, then a cleared line: " + s);
        assertTrue(s.startsWith("\repoch 1/1  step 1/3"), s);
        assertTrue(s.endsWith("val accuracy 0.9000  time 4.5s (train 4.0s + val 0.5s)  7 rows/s  lr 0.01000\n"), s);
        assertEquals(1, s.split("\n", -1).length - 1, "only the summary ends a line: " + s);
    }

    @Test
    void givenSeconds_whenFormattingAClock_thenMinutesSecondsAndHours() {
        assertEquals("0:05", Progress.clock(4.6));
        assertEquals("2:05", Progress.clock(125));
        assertEquals("1:00:01", Progress.clock(3601));
        assertEquals("?", Progress.clock(Double.NaN));
    }
}
