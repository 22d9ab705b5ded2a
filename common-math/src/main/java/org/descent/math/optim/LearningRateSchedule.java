package org.descent.math.optim;

/**
 * API CONTRACT: the learning rate for a 0-based global step index. Its own small type, composable
 * with any {@link Optimizer}. Implementations (constant, step decay, exponential decay, inverse
 * square root, cosine with optional linear warm-up) are plain immutable classes/records.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    double rate(long step);
}
