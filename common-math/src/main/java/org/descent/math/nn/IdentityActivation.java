package org.descent.math.nn;

import org.descent.math.Matrix;

/** {@code a = z}; {@code dL/dz = dL/da}. */
final class IdentityActivation implements Activation {
    static final IdentityActivation INSTANCE = new IdentityActivation();

    private IdentityActivation() {}

    @Override
    public ActivationKind kind() { return ActivationKind.IDENTITY; }

    @Override
    public void forwardInPlace(Matrix z) {
        // nothing to do
    }

    @Override
    public void backwardInPlace(Matrix a, Matrix grad) {
        Checks.sameShape("identity backward", a, grad);
    }

    @Override
    public void forwardInPlace(float[] z, int rows, int cols) {
        // nothing to do
    }

    @Override
    public void backwardInPlace(float[] a, float[] grad, int rows, int cols) {
        // dL/dz = dL/da
    }
}
