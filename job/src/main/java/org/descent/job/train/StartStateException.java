package org.descent.job.train;

/**
 * A start state (checkpoint or warm-start model) that does not fit this run: another architecture or
 * parameter count, an optimizer state of another kind, another feature scaling. A usage error (exit 2).
 */
public final class StartStateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartStateException(String message) {
        super(message);
    }

    public StartStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
