package org.descent.job.data;

/**
 * What to do with a malformed row: {@code FAIL} stops at the first one, naming file, line and reason;
 * {@code SKIP} drops it, counts it by reason, and still fails when more than {@code maxBadFraction}
 * of all rows are bad.
 */
public record BadRowPolicy(Mode mode, double maxBadFraction) {
    public enum Mode { FAIL, SKIP }

    public static final BadRowPolicy FAIL = new BadRowPolicy(Mode.FAIL, 0.0);

    public BadRowPolicy {
        if (mode == null) throw new IllegalArgumentException("bad-row mode is null");
        if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) {
            throw new IllegalArgumentException("maxBadFraction must be in [0, 1]: " + maxBadFraction);
        }
    }
}
