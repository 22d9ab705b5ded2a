package org.descent.job.data;

/**
 * Thrown by a row parser for one rejected row; cheap (no stack trace) because SKIP may see many.
 * The loader turns it into a {@link DataException} with the row's location, or counts it.
 */
final class BadRow extends Exception {
    private static final long serialVersionUID = 1L;

    final BadRowReason reason;

    BadRow(BadRowReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    String detail() {
        return getMessage();
    }
}
