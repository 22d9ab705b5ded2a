package org.descent.job.train;

import org.descent.job.exchange.StepFigures;

/** An epoch's running training loss and row count, and its last step's rate and norm (filled step by step). */
final class EpochTally {
    double lossWeighted;
    long rowsSeen;
    double lr = Double.NaN;
    double norm = Double.NaN;

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
