package org.descent.job.train;

/**
 * The input data cannot be trained on (unreadable, empty, inconsistent with the model or with the
 * validation set). CLI exit code 3.
 */
public class InputDataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InputDataException(String message) {
        super(message);
    }

    public InputDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
