package org.descent.math.nn;

import org.descent.math.Matrix;
import org.descent.math.ShapeMismatchException;

/** Validation of {@link Targets} against a network output, with messages naming row and fix. */
final class TargetChecks {
    private TargetChecks() {}

    static void rowsAndShape(LossKind kind, Matrix out, Targets y, Matrix grad) {
        if (y.size() != out.rows()) {
            throw new IllegalArgumentException(kind + ": " + y.size() + " targets for " + out.rows()
                    + " rows of output; pass one target per input row");
        }
        if (y.isMatrix() && !y.matrix().sameShape(out)) {
            Matrix t = y.matrix();
            throw ShapeMismatchException.of(kind + " loss", "output", out.rows(), out.cols(),
                    "targets", t.rows(), t.cols());
        }
        if (grad != null && !grad.sameShape(out)) {
            throw ShapeMismatchException.of(kind + " loss", "output", out.rows(), out.cols(),
                    "grad", grad.rows(), grad.cols());
        }
    }

    /** Per-row values need a single output column. */
    static void singleOutput(LossKind kind, Matrix out) {
        if (out.cols() != 1) {
            throw new IllegalArgumentException(kind + ": per-row target values need 1 output, the output has "
                    + out.cols() + " columns; pass Targets.ofMatrix with one column per output");
        }
    }

    static IllegalArgumentException badLabel(LossKind kind, int row, int col, double v, String expected) {
        String where = col < 0 ? "row " + row : "row " + row + ", column " + col;
        return new IllegalArgumentException(kind + " targets: " + where + " has " + v + "; expected " + expected);
    }
}
