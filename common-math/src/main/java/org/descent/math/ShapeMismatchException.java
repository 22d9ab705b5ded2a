package org.descent.math;

/**
 * The one exception for incompatible shapes. The message names the operation and both operands,
 * e.g. {@code "gemm: a=4x7, b=3x4"}.
 */
public final class ShapeMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeMismatchException(String message) {
        super(message);
    }

    /** {@code op: aName=RxC, bName=RxC}. */
    public static ShapeMismatchException of(String op, String aName, int aRows, int aCols,
                                            String bName, int bRows, int bCols) {
        return new ShapeMismatchException(op + ": " + aName + "=" + aRows + "x" + aCols
                + ", " + bName + "=" + bRows + "x" + bCols);
    }
}
