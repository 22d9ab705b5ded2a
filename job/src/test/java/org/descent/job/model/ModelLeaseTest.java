package org.descent.job.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per model path, across JVMs: the lease is refused while its holder lives and taken over once it is gone. */
class ModelLeaseTest {
    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    private static Process holder(Path model) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LeaseHolderMain.class.getName(), model.toString()));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String firstLine(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        return line == null ? "<no output>" : line;
    }

    @Test
    void givenAnotherJvmHoldsTheLease_whenTaking_thenRefusedNamingItAndTakenOverOnceItIsKilled() throws Exception {
        // Given a second JVM holding the lease of a model path
        Path model = dir.resolve("m");
        Process other = holder(model);
        try {
            assertEquals("held", firstLine(other));
            // When this JVM asks for it: refused at once, naming host and pid of the holder
            var e = assertThrows(ModelLease.LeaseHeldException.class, () -> ModelLease.acquire(CONF, model.toString()));
            assertTrue(e.getMessage().contains("pid " + other.pid()) && e.getMessage().contains("host "), e.getMessage());
            // And `train` on that model path exits 2 before Spark starts, naming the holder
            Path conf = Files.writeString(dir.resolve("t.conf"), "data { train-path = \"" + Path.of("..", "conf",
                    "examples", "logistic-regression.libsvm").toAbsolutePath() + "\", format = libsvm, label-type = class-index, num-features = 10 }\n"
                    + "model.type = logistic\ntraining.epochs = 1\noutput.model-path = \"" + model + "\"\n");
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream oldErr = System.err;
            int code;
            System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                code = org.descent.job.Main.run("train", "--config", conf.toString());
            } finally {
                System.setErr(oldErr);
            }
            assertEquals(org.descent.job.cli.ExitCodes.USAGE, code, err.toString());
            assertTrue(err.toString().contains("pid " + other.pid()), err.toString());
            assertFalse(Files.exists(model), "the refused run wrote nothing");
            // When the holder is killed (no release), its lease is stale and taken over
            other.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertTrue(Files.exists(dir.resolve(".m.lease")), "a killed holder leaves its lease file");
            try (ModelLease mine = ModelLease.acquire(CONF, model.toString())) {
                var again = assertThrows(ModelLease.LeaseHeldException.class, () -> ModelLease.acquire(CONF, model.toString()));
                assertTrue(again.getMessage().contains("pid " + ProcessHandle.current().pid()), again.getMessage());
            }
            // Then a released lease leaves nothing behind
            try (var s = Files.list(dir)) {
                assertEquals(List.of("t.conf"), s.map(f -> f.getFileName().toString()).toList());
            }
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void givenFourJvmsStartingTogether_whenTakingOneLease_thenExactlyOneHoldsIt() throws Exception {
        Path model = dir.resolve("race");
        List<Process> ps = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) ps.add(holder(model));
            int held = 0;
            for (Process p : ps) {
                String line = firstLine(p);
                if (line.equals("held")) {
                    held++;
                } else {
                    assertTrue(line.startsWith("refused: ") && line.contains("being written by another run"), line);
                }
            }
            assertEquals(1, held, "exactly one of four concurrent JVMs holds the lease");
        } finally {
            for (Process p : ps) {
                p.getOutputStream().close(); // the holder releases when its stdin closes
                p.waitFor(30, TimeUnit.SECONDS);
                p.destroyForcibly();
            }
        }
        assertFalse(Files.exists(dir.resolve(".race.lease")), "released by its holder");
    }

    @Test
    void givenAStaleLeaseOfAnotherHost_whenOlderThanTheRenewalWindow_thenTakenOverOtherwiseRefused() throws Exception {
        Path model = dir.resolve("remote");
        Path lease = dir.resolve(".remote.lease");
        Files.writeString(lease, "{\"host\":\"elsewhere.invalid\",\"pid\":1,\"processStart\":\"\",\"startedAt\":\"t\",\"token\":\"x\"}");
        var e = assertThrows(ModelLease.LeaseHeldException.class, () -> ModelLease.acquire(CONF, model.toString()));
        assertTrue(e.getMessage().contains("host elsewhere.invalid"), e.getMessage());
        Files.setLastModifiedTime(lease, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - ModelLease.STALE_AFTER.toMillis() - 1000));
        try (ModelLease l = ModelLease.acquire(CONF, model.toString())) {
            assertTrue(Files.readString(lease).contains("\"pid\":" + ProcessHandle.current().pid()));
        }
    }
}
