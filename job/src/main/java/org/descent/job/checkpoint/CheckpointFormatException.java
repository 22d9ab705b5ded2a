package org.descent.job.checkpoint;

/** A checkpoint that fails its integrity check (size, checksum, parse); the message names the file. */
public final class CheckpointFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CheckpointFormatException(String message) {
        super(message);
    }
}
