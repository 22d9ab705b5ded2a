package org.descent.job.cli;

import java.io.IOException;
import java.io.PrintWriter;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.descent.job.checkpoint.CheckpointIoException;
import org.descent.job.config.ConfigError;
import org.descent.job.data.DataException;
import org.descent.job.data.idx.FashionMnistConverter;
import org.descent.job.model.ModelFormatException;
import org.descent.job.model.ModelLease;
import org.descent.job.model.ModelStore;
import org.descent.job.report.RunReporting;
import org.descent.job.train.InputDataException;
import org.descent.job.train.StartStateException;
import org.descent.job.train.TrainingFailedException;
import picocli.CommandLine;

/**
 * The one mapping from a failure to its message and {@link ExitCodes exit code}, used by every command's
 * catch-all and by {@code Main} for anything a command did not catch (picocli would return 1, which the
 * table does not list):
 * <ul>
 *   <li>usage/config/output-exists errors → {@link ExitCodes#USAGE};</li>
 *   <li>a {@link DataException} anywhere in the cause chain (e.g. inside a SparkException), input or model
 *       format errors → {@link ExitCodes#DATA};</li>
 *   <li>everything else (a failed run, an output that could not be written, an unexpected exception) →
 *       {@link ExitCodes#TRAINING}. Unexpected exceptions print one line; the stack trace goes to the log.</li>
 * </ul>
 */
public final class Failures implements CommandLine.IExecutionExceptionHandler {
    private static final Logger LOG = LogManager.getLogger(Failures.class);

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        return report(cmd.getErr(), ex);
    }

    /** Prints {@code e}'s message with its prefix to {@code err} and returns its exit code. */
    public static int report(PrintWriter err, Throwable e) {
        try {
            var data = DataException.findIn(e);
            if (data.isPresent()) return print(err, "data error: ", data.get().getMessage(), ExitCodes.DATA);
            if (e instanceof InputDataException) return print(err, "data error: ", e.getMessage(), ExitCodes.DATA);
            if (e instanceof ModelFormatException) return print(err, "model error: ", e.getMessage(), ExitCodes.DATA);
            if (e instanceof ConfigError || e instanceof OutputTarget.OutputException
                    || e instanceof ModelStore.ModelOutputExistsException || e instanceof RunReporting.RunDirException
                    || e instanceof StartStateException || e instanceof CommandLine.ParameterException
                    || e instanceof ModelLease.LeaseHeldException) {
                return print(err, "error: ", e.getMessage(), ExitCodes.USAGE);
            }
            if (e instanceof TrainingFailedException || e instanceof CheckpointIoException) {
                return print(err, "training failed: ", e.getMessage(), ExitCodes.TRAINING);
            }
            if (e instanceof FashionMnistConverter.WriteFailedException || e instanceof IOException
                    || e instanceof java.io.UncheckedIOException) {
                return print(err, "failed: ", e.getMessage(), ExitCodes.TRAINING);
            }
            LOG.error("unexpected failure", e);
            return print(err, "failed: ", e + " (unexpected; the stack trace is in the log file)", ExitCodes.TRAINING);
        } finally {
            err.flush();
        }
    }

    private static int print(PrintWriter err, String prefix, String message, int code) {
        err.println(prefix + message);
        return code;
    }
}
