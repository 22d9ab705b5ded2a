package org.descent.math.nn;

import org.descent.math.Matrix;
import org.descent.math.ShapeMismatchException;

/** Shape checks shared by activations, losses and the network. */
final class Checks {
    private Checks() {}

    static void sameShape(String op, Matrix a, Matrix b) {
        if (!a.sameShape(b)) {
            throw ShapeMismatchException.of(op, "a", a.rows(), a.cols(), "grad", b.rows(), b.cols());
        }
    }
}
