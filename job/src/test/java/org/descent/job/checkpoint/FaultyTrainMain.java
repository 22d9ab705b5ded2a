package org.descent.job.checkpoint;

import java.util.Arrays;
import org.descent.job.Main;
import org.descent.job.fault.Faults;

/**
 * The main class of {@link KillAndResumeProcessTest}'s child JVM: installs a {@link Faults} hook that makes the
 * process hang (until the test SIGKILLs it) at a chosen checkpoint, then runs {@link Main} with the remaining args.
 * <pre>
 * FaultyTrainMain written AFTER  args...   hang once a checkpoint whose name sorts after AFTER has been renamed
 * FaultyTrainMain staged N       args...   hang in the N-th checkpoint write, its temp directory complete, unrenamed
 * </pre>
 */
public final class FaultyTrainMain {
    private FaultyTrainMain() {}

    public static void main(String[] args) {
        String mode = args[0];
        String arg = args[1];
        int[] writes = {0};
        Faults.install(new Faults.Hooks() {
            @Override
            public void checkpointStaged(String name) {
                if (mode.equals("staged") && ++writes[0] == Integer.parseInt(arg)) hang();
            }

            @Override
            public void checkpointWritten(String name) {
                if (mode.equals("written") && name.compareTo(arg) > 0) hang();
            }
        });
        Main.main(Arrays.copyOfRange(args, 2, args.length));
    }

    private static void hang() {
        System.err.println("FaultyTrainMain: hanging until killed");
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // keep hanging: only the test's SIGKILL ends this process
            }
        }
    }
}
