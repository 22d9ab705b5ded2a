package org.descent.job.train;

/** Training could not finish (divergence, a failed Spark step); no model is written. CLI exit code 4. */
public class TrainingFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingFailedException(String message) {
        super(message);
    }

    public TrainingFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
