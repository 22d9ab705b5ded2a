package org.descent.math.nn;

import java.util.Arrays;
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

    /**
     * Overwrites {@code gradOut[0, size)} with the gradient of the summed loss ({@code size} = the layout's length;
     * {@code gradOut} may be longer): the bits {@link #lossAndGradientSum} adds to a zero-filled accumulator. This
     * default is exactly that, fill then add; {@link LayerPass} writes its float32 gradient without the fill.
     */
    double gradientSum(Loss lossFn, double[] params, Matrix x, Targets y, double[] gradOut, int size) {
        Arrays.fill(gradOut, 0, size, 0.0);
        return x.rows() == 0 ? 0.0 : lossAndGradientSum(lossFn, params, x, y, gradOut);
    }

    /** {@link #gradientSum(Loss, double[], Matrix, Targets, double[], int)} of a float input block. */
    double gradientSum(Loss lossFn, double[] params, FloatMatrix x, Targets y, double[] gradOut, int size) {
        Arrays.fill(gradOut, 0, size, 0.0);
        return x.rows() == 0 ? 0.0 : lossAndGradientSum(lossFn, params, x, y, gradOut);
    }

    /**
     * A FLOAT32 dense pass only: the float gradient of the summed loss at the caller's float weights, written over
     * {@code gradOut[0, size)} (see {@link Network#gradientSumAt}).
     */
    double gradientSumAt(Loss lossFn, float[] weights, FloatMatrix x, Targets y, float[] gradOut, int size) {
        throw new IllegalArgumentException("a float gradient needs a FLOAT32 workspace of a dense network, this one is "
                + precision() + (this instanceof StackPass ? " of a general stack" : "")
                + "; use the double[] gradientSum");
    }

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
