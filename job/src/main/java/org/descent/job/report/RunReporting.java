package org.descent.job.report;

import java.io.IOException;
import java.io.PrintWriter;
import org.apache.hadoop.conf.Configuration;
import org.descent.job.config.JobConfig;
import org.descent.job.config.OutputConfig;
import org.descent.job.config.ProgressMode;
import org.descent.job.train.EpochListener;
import org.descent.job.train.Trainer;

/** Wires the progress line and the run directory of {@code output.*} into a {@link Trainer}. */
public final class RunReporting {
    private RunReporting() {}

    /** The run directory cannot be created or written. CLI exit code 2. */
    public static final class RunDirException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RunDirException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts the run directory ({@code config.conf} written now) and attaches it and the progress line
     * ({@code out}; in place when {@code System.console() != null} and output.progress = auto). The caller closes
     * the returned recorder once training ends, normally or not: that renders the final report.html.
     */
    public static RunRecorder attach(Trainer trainer, JobConfig cfg, Configuration hadoop, PrintWriter out) {
        OutputConfig o = cfg.output();
        RunRecorder recorder;
        try {
            recorder = RunRecorder.start(hadoop, o.runDir(), cfg.resolvedHocon(),
                    "descent run: " + cfg.model().type().name().toLowerCase(java.util.Locale.ROOT) + " model",
                    "model " + o.modelPath() + " · run directory " + o.runDir() + " · updated every few seconds and at the end");
        } catch (IOException e) {
            throw new RunDirException("cannot write the run directory " + o.runDir() + ": " + e.getMessage()
                    + "; set output.run-dir to a writable directory", e);
        }
        boolean terminal = System.console() != null && o.progress() == ProgressMode.AUTO;
        Progress progress = new Progress(out, terminal, o.progress() != ProgressMode.OFF,
                terminal ? 1.0 : o.progressIntervalSeconds(), System::nanoTime);
        trainer.withStepListener(progress).withEpochListener(EpochListener.both(progress, recorder));
        return recorder;
    }
}
