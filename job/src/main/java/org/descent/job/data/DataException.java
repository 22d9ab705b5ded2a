package org.descent.job.data;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one exception type of the data stage: bad input (malformed row, wrong counts, missing or empty
 * path, unreadable file). The message names the file and line (or Parquet row) or the field, the
 * reason, and the fix.
 *
 * <p>Errors raised inside Spark tasks reach the driver wrapped in a {@code SparkException}; call
 * {@link #findIn(Throwable)} (or {@link #unwrap(Throwable)}) on whatever the driver caught to get this
 * exception back with its clear message.
 */
public class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Walks the cause chain (and suppressed exceptions) of {@code t} and returns the first
     * {@link DataException}, e.g. the one a task threw that the driver sees inside a SparkException.
     */
    public static Optional<DataException> findIn(Throwable t) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        return find(t, seen);
    }

    private static Optional<DataException> find(Throwable t, Map<Throwable, Boolean> seen) {
        for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
            if (c instanceof DataException d) return Optional.of(d);
            for (Throwable s : c.getSuppressed()) {
                Optional<DataException> found = find(s, seen);
                if (found.isPresent()) return found;
            }
        }
        return Optional.empty();
    }

    /**
     * The {@link DataException} inside {@code t} if there is one, otherwise {@code t} itself (wrapped
     * in a RuntimeException when checked). Use as {@code catch (Exception e) { throw DataException.unwrap(e); }}.
     */
    public static RuntimeException unwrap(Throwable t) {
        Optional<DataException> d = findIn(t);
        if (d.isPresent()) return d.get();
        if (t instanceof RuntimeException r) return r;
        return new RuntimeException(t);
    }
}
