package org.descent.math.nn;

/** Weight initialisers (biases always start at zero). */
public enum InitKind {
    /** U(-a, a), a = sqrt(6 / (n_in + n_out)). */
    XAVIER_UNIFORM,
    /** N(0, 2 / (n_in + n_out)). */
    XAVIER_NORMAL,
    /** N(0, 2 / n_in). */
    HE_NORMAL,
    /** N(0, 1 / n_in). */
    LECUN_NORMAL,
    /** All zeros (fine for linear and logistic models). */
    ZEROS
}
