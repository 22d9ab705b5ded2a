package org.descent.job.checkpoint;

/** The checkpoint filesystem failed (not the checkpoint's content); the message names the path. */
public final class CheckpointIoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointIoException(String message, Throwable cause) {
        super(message, cause);
    }
}
