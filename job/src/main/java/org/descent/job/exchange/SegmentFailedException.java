package org.descent.job.exchange;

/**
 * Why an allreduce segment's Spark job (or the preparation of its attempt) failed, as {@link AllReduceEngine} tells
 * it apart from a step sink's exception, which passes through unwrapped: the engine runs the segment again from the
 * state the driver holds, up to its attempt limit, then throws {@link #unwrap()}.
 */
final class SegmentFailedException extends RuntimeException {
    SegmentFailedException(Throwable cause) {
        super(cause);
    }

    /** The cause as a runtime exception (a checked one wrapped, its message kept). */
    RuntimeException unwrap() {
        Throwable c = getCause();
        return c instanceof RuntimeException re ? re : new IllegalStateException(c.getMessage(), c);
    }

    /** The first line of the cause's message, for the one-line retry warning. */
    String causeFirstLine() {
        String m = String.valueOf(getCause().getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
