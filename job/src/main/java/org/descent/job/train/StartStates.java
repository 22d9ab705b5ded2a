package org.descent.job.train;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.nn.Network;
import org.descent.math.optim.Optimizer;

/** Checks a {@link StartState} against the run the config builds and applies it (Trainer's only entry). */
final class StartStates {
    private static final Logger LOG = LogManager.getLogger(StartStates.class);

    private StartStates() {}

    /**
     * Verifies architecture and parameter count, restores the optimizer state (if any) into {@code optimizer}
     * and returns the parameters to start from. Throws {@link StartStateException} naming both shapes.
     */
    static double[] apply(StartState start, ModelArchitecture arch, Network network, Optimizer optimizer, int steps) {
        TrainingState s = start.state();
        if (!s.architecture().equals(arch) || s.params().length != network.numParams()) {
            throw new StartStateException(start.source() + " has architecture " + s.architecture().describe() + " ("
                    + s.params().length + " params) but this config builds " + arch.describe() + " ("
                    + network.numParams() + " params)");
        }
        if (s.optimizerState() != null) {
            try {
                optimizer.restoreState(s.optimizerState());
            } catch (IllegalArgumentException e) {
                throw new StartStateException("cannot restore the optimizer state of " + start.source() + " into "
                        + optimizer.name() + ": " + e.getMessage(), e);
            }
        }
        if (s.stepsPerEpoch() != 0 && s.stepsPerEpoch() != steps) {
            LOG.warn("{} was saved with {} steps per epoch, this run has {}: the data order differs from the "
                    + "interrupted run", start.source(), s.stepsPerEpoch(), steps);
        }
        return s.params().clone();
    }
}
