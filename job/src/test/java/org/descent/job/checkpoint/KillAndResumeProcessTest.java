package org.descent.job.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.descent.job.cli.ExitCodes;
import org.descent.job.model.ModelStore;
import org.descent.job.model.SavedModel;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hard way: {@code train} runs as a separate JVM, is SIGKILLed mid-epoch (or while a checkpoint is
 * being written), and {@code train --resume} finishes the run; the final params.bin must equal an
 * uninterrupted run's byte for byte.
 */
class KillAndResumeProcessTest {
    private static final int EPOCHS = 6;
    private static final int EVERY_STEPS = 4;

    @TempDir
    static Path shared;
    static Path data;
    static byte[] reference;
    static SavedModel referenceModel;

    @TempDir
    Path dir;

    @BeforeAll
    static void uninterruptedRun() throws IOException {
        TestSpark.session();
        data = Fixtures.blobs(shared.resolve("blobs.libsvm"), 600, 11, 1.5);
        Path model = shared.resolve("reference-model");
        Path conf = Fixtures.config(shared.resolve("ref.conf"), data, model, null, EPOCHS, 0);
        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString());
        assertEquals(ExitCodes.OK, r.code(), r.output());
        reference = Fixtures.params(model);
        referenceModel = ModelStore.load(new Configuration(), model.toString());
    }

    @Test
    void givenATrainProcessKilledMidEpoch_whenResumedInAnotherRun_thenTheModelIsBitIdenticalToAnUninterruptedRun()
            throws Exception {
        Path model = dir.resolve("model");
        Path ckpt = dir.resolve("ckpt");
        Path conf = Fixtures.config(dir.resolve("job.conf"), data, model, ckpt, EPOCHS, EVERY_STEPS);
        CheckpointStore store = new CheckpointStore(new Configuration(), ckpt.toString());

        // the child hangs right after its first checkpoint inside epoch 2 (cursor step > 0): mid-epoch, past a checkpoint
        Process p = start(conf, "written", "ckpt-e000001-s00000000");
        waitFor(p, () -> store.list().stream().anyMatch(c -> c.getName().compareTo("ckpt-e000001-s00000000") > 0));
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue());
        assertFalse(Files.exists(model), "the killed run must not have finished");
        String newest = store.list().get(store.list().size() - 1).getName();

        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString(), "--resume");
        assertEquals(ExitCodes.OK, r.code(), r.output());
        assertArrayEquals(reference, Fixtures.params(model), "resumed after " + newest);
        SavedModel resumed = ModelStore.load(new Configuration(), model.toString());
        assertEquals(referenceModel.metadata().metrics(), resumed.metadata().metrics(), "bit-identical reporting");
        assertTrue(Files.exists(model.resolve(ModelStore.OPTIMIZER)));
        // the run directory shows the whole run: the epochs the killed process finished come from the checkpoint
        Path runDir = Path.of(model + ".run");
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(EPOCHS, lines.size(), String.join("\n", lines));
        long steps = referenceModel.metadata().metrics().get("stepsPerEpoch").longValue();
        for (int e = 1; e <= EPOCHS; e++) {
            assertTrue(lines.get(e - 1).startsWith("{\"epoch\":" + e + ",\"step\":" + e * steps + ","),
                    lines.get(e - 1));
        }
        String html = Files.readString(runDir.resolve("report.html"));
        for (int e = 1; e <= EPOCHS; e++) assertTrue(html.contains("<tr><td>" + e + "</td>"), "report.html epoch " + e);
    }

    @Test
    void givenATrainProcessKilledWhileWritingACheckpoint_whenResumed_thenTheTornWriteIsIgnoredAndTheModelBitIdentical()
            throws Exception {
        Path model = dir.resolve("model");
        Path ckpt = dir.resolve("ckpt");
        Path conf = Fixtures.config(dir.resolve("job.conf"), data, model, ckpt, EPOCHS, EVERY_STEPS);
        CheckpointStore store = new CheckpointStore(new Configuration(), ckpt.toString());

        // the 3rd checkpoint write hangs after its temp directory is complete, before the rename
        Process p = start(conf, "staged", "3");
        // writes 1 and 2 renamed, write 3's temp complete (it hangs until killed, so this is not a passing write)
        waitFor(p, () -> store.list().size() == 2
                && temps(ckpt).stream().anyMatch(t -> Files.exists(t.resolve(CheckpointStore.META))));
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, store.list().size(), "two complete checkpoints before the torn one");
        assertEquals(1, temps(ckpt).size());

        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString(), "--resume");
        assertEquals(ExitCodes.OK, r.code(), r.output());
        assertArrayEquals(reference, Fixtures.params(model));
        assertEquals(0, temps(ckpt).size(), "the torn temp directory is cleaned up");
    }

    private static List<Path> temps(Path ckpt) {
        if (!Files.isDirectory(ckpt)) return List.of();
        try (Stream<Path> s = Files.list(ckpt)) {
            return s.filter(x -> x.getFileName().toString().startsWith(".ckpt-")
                    && x.getFileName().toString().contains(".tmp-")).toList();
        } catch (IOException e) {
            return List.of(); // listed while the child renames: try again
        }
    }

    /** {@code java <spark flags> -cp <test classpath> FaultyTrainMain MODE ARG train --config conf}. */
    private Process start(Path conf, String mode, String arg) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-modules") || a.startsWith("-Djdk.reflect")
                    || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx1g");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FaultyTrainMain.class.getName(), mode, arg,
                "train", "--config", conf.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        File log = dir.resolve("child.log").toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        return pb.start();
    }

    private void waitFor(Process p, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!condition.getAsBoolean()) {
            if (!p.isAlive()) {
                fail("the train process ended (exit " + p.exitValue() + ") before the kill point:\n"
                        + Files.readString(dir.resolve("child.log")));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("timed out waiting for the kill point:\n" + Files.readString(dir.resolve("child.log")));
            }
            Thread.sleep(5);
        }
    }
}
