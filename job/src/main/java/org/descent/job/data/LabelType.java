package org.descent.job.data;

/** How the label column is read. */
public enum LabelType {
    /** A real value (regression). */
    REAL,
    /** A class index 0..k-1 (integral; binary is k = 2). */
    CLASS_INDEX
}
