package org.descent.job.config;

/**
 * A configuration problem found before Spark starts: an unknown key, a value of the wrong type, or a
 * value out of range. The message names the key, the value given (and where it came from), and what
 * is allowed. The CLI maps it to exit code 2.
 */
public final class ConfigError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigError(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The offending key (dotted HOCON path), or null for file-level problems. */
    public String key() {
        return key;
    }
}
