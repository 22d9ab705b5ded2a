package org.descent.job.train;

import java.util.List;
import java.util.Map;
import org.descent.job.model.ModelArchitecture;
import org.descent.math.scale.Scaler;

/** What a finished run hands to the model writer. {@code scaler} is null when scaling was off. */
public record TrainingResult(ModelArchitecture architecture, double[] params, Scaler scaler,
                             List<EpochReport> epochs, Map<String, Double> finalMetrics, long trainRows,
                             int stepsPerEpoch) {}
