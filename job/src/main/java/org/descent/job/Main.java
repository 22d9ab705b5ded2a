package org.descent.job;

import org.descent.job.cli.ConvertCommand;
import org.descent.job.cli.EvaluateCommand;
import org.descent.job.cli.ExitCodes;
import org.descent.job.cli.Failures;
import org.descent.job.cli.GradcheckCommand;
import org.descent.job.cli.InfoCommand;
import org.descent.job.cli.PredictCommand;
import org.descent.job.cli.PublishCommand;
import org.descent.job.cli.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point: {@code descent <subcommand> [options]} (picocli; {@code --help} on each).
 * Subcommands: {@code train}, {@code convert}, {@code publish}; {@code evaluate}, {@code predict}, {@code gradcheck} and {@code info}
 * plug in as further {@code @Command} classes in {@code org.descent.job.cli}.
 * Exit codes: see {@link ExitCodes} (0 ok, 2 config/usage, 3 data/input, 4 run failure,
 * 5 gradient check failed, 10/11 publish); every failure maps to one of them ({@link Failures}).
 */
@Command(name = "descent", mixinStandardHelpOptions = true, version = "descent 0.1.0",
        description = "Distributed gradient training on Apache Spark.",
        subcommands = {TrainCommand.class, ConvertCommand.class, EvaluateCommand.class, PredictCommand.class,
                GradcheckCommand.class, InfoCommand.class, PublishCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (try: train --help)");
    }

    /** Runs a command line and returns its exit code (tests call this; {@link #main} exits with it). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler(new Failures()); // anything a command did not catch: a listed code, not 1
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
