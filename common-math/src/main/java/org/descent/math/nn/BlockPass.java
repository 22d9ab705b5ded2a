package org.descent.math.nn;

import org.descent.math.FloatMatrix;
import org.descent.math.Matrix;
import org.descent.math.sparse.SparseRows;

/**
 * What a {@link Network.Workspace} runs: the entry points of one forward/backward implementation over
 * its own buffers. {@link LayerPass} (dense stacks, float64 and float32) and {@link StackPass} (stacks
 * with conv, pooling or recurrent layers, float64) implement it. Shapes are checked by {@link Network}
 * before any call; {@code n = x.rows() > 0} except for predict. Not thread-safe.
 */
abstract class BlockPass {
    abstract int maxRows();

    abstract Precision precision();

    abstract double lossAndGradientSum(Loss lossFn, double[] params, Matrix x, Targets y, double[] gradAcc);

    abstract double lossAndGradientSum(Loss lossFn, double[] params, FloatMatrix x, Targets y, double[] gradAcc);

    abstract double lossAndGradientSum(Loss lossFn, double[] params, SparseRows x, Targets y, double[] gradAcc);

    abstract double lossSum(Loss lossFn, double[] params, Matrix x, Targets y);

    abstract double lossSum(Loss lossFn, double[] params, FloatMatrix x, Targets y);

    abstract double lossSum(Loss lossFn, double[] params, SparseRows x, Targets y);

    abstract Matrix predict(Loss lossFn, double[] params, Matrix x);

    abstract Matrix predict(Loss lossFn, double[] params, FloatMatrix x);

    abstract Matrix predict(Loss lossFn, double[] params, SparseRows x);

    // Loss and outputs of the same rows (evaluation). These defaults run the two passes above; LayerPass shares
    // one forward pass between them (the same bits: the loss reads A_L without changing it).

    Scored lossSumAndPredict(Loss lossFn, double[] params, Matrix x, Targets y) {
        double sum = x.rows() == 0 ? 0.0 : lossSum(lossFn, params, x, y);
        return new Scored(sum, predict(lossFn, params, x));
    }

    Scored lossSumAndPredict(Loss lossFn, double[] params, FloatMatrix x, Targets y) {
        double sum = x.rows() == 0 ? 0.0 : lossSum(lossFn, params, x, y);
        return new Scored(sum, predict(lossFn, params, x));
    }

    Scored lossSumAndPredict(Loss lossFn, double[] params, SparseRows x, Targets y) {
        double sum = x.rows() == 0 ? 0.0 : lossSum(lossFn, params, x, y);
        return new Scored(sum, predict(lossFn, params, x));
    }
}
