package org.descent.job.train;

import org.descent.job.exchange.StepFigures;

/** An epoch's running training loss and row count, its last step's rate and norm (filled step by step), its times. */
final class EpochTally {
    double lossWeighted;
    long rowsSeen;
    double lr = Double.NaN;
    double norm = Double.NaN;
    /** The epoch's step time (job launches included) and validation time, set when each is done. */
    double trainSeconds;
    double validationSeconds;
    /**
     * When the allreduce ranks started and ended the epoch's validation pass at its end ({@code System.nanoTime}; both
     * 0: the driver validated): the epoch's training ended at the start, the next epoch's started at the end.
     */
    long ranksValidationStart;
    long ranksValidationEnd;

    /** Starts from the sums of the steps already done (a resumed epoch) or zero. */
    EpochTally(double lossWeighted, long rowsSeen) {
        this.lossWeighted = lossWeighted;
        this.rowsSeen = rowsSeen;
    }

    void add(StepFigures f) {
        lossWeighted += f.loss() * f.rows();
        rowsSeen += f.rows();
        lr = f.learningRate();
        norm = f.gradNorm();
    }

    /** Row-weighted mean step loss of the epoch. */
    double trainLoss() {
        return lossWeighted / rowsSeen;
    }
}
