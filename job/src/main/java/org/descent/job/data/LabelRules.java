package org.descent.job.data;

import java.io.Serializable;

/**
 * Validates a label: any finite value for {@link LabelType#REAL}; an integral value in
 * {@code 0..numClasses-1} for {@link LabelType#CLASS_INDEX} ({@code numClasses = 0}: any integral
 * value {@code >= 0}, the count is inferred later as max + 1).
 */
final class LabelRules implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Largest class index accepted when inferring the class count (keeps the model size sane). */
    static final int MAX_INFERRED_CLASS = 1 << 24;

    private final LabelType type;
    private final int numClasses;

    LabelRules(LabelType type, int numClasses) {
        this.type = type;
        this.numClasses = type == LabelType.CLASS_INDEX ? numClasses : 0;
    }

    double check(double v) throws BadRow {
        if (!Double.isFinite(v)) throw new BadRow(BadRowReason.NON_FINITE, "non-finite label " + v);
        if (type == LabelType.REAL) return v;
        if (v != Math.rint(v)) throw new BadRow(BadRowReason.LABEL_NOT_INTEGER, "label " + v + " is not an integer class index");
        if (numClasses > 0 && (v < 0 || v >= numClasses)) {
            throw new BadRow(BadRowReason.LABEL_RANGE, "label " + (long) v + " outside classes 0.." + (numClasses - 1));
        }
        if (v < 0 || v > MAX_INFERRED_CLASS) {
            throw new BadRow(BadRowReason.LABEL_RANGE, "label " + (long) v + " outside classes 0.." + MAX_INFERRED_CLASS);
        }
        return v;
    }

    /** Parses then checks a text label. */
    double parse(String text) throws BadRow {
        return check(Fields.number(text, "label"));
    }
}
