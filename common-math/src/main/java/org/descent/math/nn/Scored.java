package org.descent.math.nn;

import org.descent.math.Matrix;

/**
 * What {@link Network#lossSumAndPredict} gives for a block of n rows (evaluation: loss and metrics in one pass).
 *
 * @param lossSum {@code Σ_i ℓ(A_L[i], y_i)}, as {@link Network#lossSum} returns it (0 for no rows)
 * @param outputs {@code n x outputSize}, as {@link Network#predict} returns it: probabilities (SOFTMAX_CE, BCE_LOGITS)
 *                or values (MSE); a workspace buffer, valid until the next call with the same workspace
 */
public record Scored(double lossSum, Matrix outputs) {}
