package org.descent.job.cli;

import java.io.PrintWriter;
import java.util.List;
import org.descent.job.config.ConfigError;

/** Error reporting shared by evaluate, predict and gradcheck. */
final class Commands {
    private Commands() {}

    static int fail(PrintWriter err, String prefix, Exception e, int code) {
        err.println(prefix + e.getMessage());
        err.flush();
        return code;
    }

    /** Maps a failure inside the Spark part of a command to its message and exit code. */
    static int failRun(PrintWriter err, Exception e) {
        return Failures.report(err, e);
    }

    /** {@code --set} of evaluate/predict may only change how the data is read. */
    static void requireDataKeys(List<String> overrides) {
        for (String o : overrides) {
            if (!o.trim().startsWith("data.")) {
                throw new ConfigError(null, "--set " + o + ": only data.* keys can be overridden here");
            }
        }
    }
}
