package org.descent.job.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.descent.job.data.RowBlock;
import org.descent.job.score.HeldValidation;
import org.descent.job.score.Scorer;

/**
 * A training run's figures at each epoch end: the train loss and, with a validation set, its figures for the epoch's
 * parameters, from whichever path the data stage chose ({@link TrainingRun.Data}): the set held in the driver's JVM
 * ({@link HeldValidation}: the ranks' pass at the epoch end, else driver threads) or a Spark job over the cached
 * validation blocks ({@link Scorer}). Also splits the epoch's time into training and validation.
 *
 * <p>Call order: construct once per run; {@link #finish} at every epoch end, in epoch order; {@link #close}.
 */
final class EpochValidation implements AutoCloseable {
    private final Scorer scorer;
    private final HeldValidation held;
    private final JavaRDD<RowBlock> blocks;
    private final int epochs;

    EpochValidation(Scorer scorer, TrainingRun.Data data, int epochs) {
        this.scorer = scorer;
        this.held = data.heldValidation();
        this.blocks = data.validation();
        this.epochs = epochs;
    }

    /**
     * The figures of {@code epoch} (its steps are done; {@code params} are its end state) and its times in
     * {@code tally}. A pass the ranks ran at the epoch's end happened before the driver saw the end, on the ranks'
     * timeline: the epoch's training ended when the pass started, the pass is its validation time (the driver's merge
     * of the partitions' figures, microseconds, overlaps the ranks' next epoch), and in a spanning run the next epoch
     * started when it ended ({@code TrainingRun.runSpanning}), so the epochs' times add up to the ranks' wall time.
     * Else the time to now since {@code epochStart} is training, and this call's own time validation.
     */
    Map<String, Double> finish(int epoch, EpochTally tally, long epochStart, double[] params) {
        long trained = System.nanoTime();
        Map<String, Double> metrics = metrics(epoch, tally, params);
        if (tally.ranksValidationEnd != 0) {
            tally.trainSeconds = (tally.ranksValidationStart - epochStart) / 1e9;
            tally.validationSeconds = (tally.ranksValidationEnd - tally.ranksValidationStart) / 1e9;
        } else {
            tally.trainSeconds = (trained - epochStart) / 1e9;
            tally.validationSeconds = (System.nanoTime() - trained) / 1e9;
        }
        return metrics;
    }

    /** trainLoss and (with a validation set) the validation figures of the epoch's parameters. */
    private Map<String, Double> metrics(int epoch, EpochTally tally, double[] params) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("trainLoss", tally.trainLoss());
        if (held != null) { // no Spark job per epoch, the same figures
            HeldValidation.Scored byRanks = held.takeScored(epoch);
            if (byRanks != null) {
                tally.ranksValidationStart = byRanks.start();
                tally.ranksValidationEnd = byRanks.end();
            }
            metrics.putAll((byRanks != null ? byRanks.metrics() : held.evaluate(params)).asMap("validation"));
        } else if (blocks != null) {
            metrics.putAll(scorer.evaluate(blocks, params,
                    "descent epoch " + (epoch + 1) + "/" + epochs + " validation").asMap("validation"));
        }
        return metrics;
    }

    @Override
    public void close() {
        scorer.close();
    }
}
