/**
 * What a training run reports while it runs: the in-epoch progress line ({@link org.descent.job.report.Progress}),
 * and the run directory ({@link org.descent.job.report.RunRecorder}): {@code config.conf}, {@code metrics.jsonl}
 * (one {@link org.descent.job.report.EpochRecord} per line) and {@code report.html}
 * ({@link org.descent.job.report.HtmlReport}), written through the Hadoop FS API, each file replaced atomically.
 */
package org.descent.job.report;
