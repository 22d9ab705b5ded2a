package org.descent.job.config;

/** {@code output.progress}: how the in-epoch progress line is shown. */
public enum ProgressMode {
    /** In place ({@code \r}) at most once a second on a terminal; plain periodic lines otherwise. */
    AUTO,
    /** Plain lines every {@code output.progress-interval} seconds, even on a terminal. */
    PLAIN,
    /** No progress line (the per-epoch summary is still printed). */
    OFF
}
