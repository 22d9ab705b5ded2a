package org.descent.job.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

import org.descent.job.cli.ExitCodes;
import org.descent.job.model.ModelStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.descent.job.train.TestSpark;

/** In-process (shared local[2] session): corrupt checkpoints, config-hash checks, warm starts. */
class ResumeAndWarmStartTest {
    private static final int EPOCHS = 4;

    @TempDir
    static Path shared;
    static Path data;
    static Path referenceModel;
    static byte[] reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void uninterruptedRun() throws IOException {
        TestSpark.session();
        data = Fixtures.blobs(shared.resolve("blobs.libsvm"), 400, 5, 1.5);
        referenceModel = shared.resolve("reference");
        Path conf = Fixtures.config(shared.resolve("ref.conf"), data, referenceModel, null, EPOCHS, 0);
        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString());
        assertEquals(ExitCodes.OK, r.code(), r.output());
        reference = Fixtures.params(referenceModel);
    }

    /** A full run with checkpoints every epoch and every 5 steps; returns the config file. */
    private Path runWithCheckpoints() throws IOException {
        Path conf = Fixtures.config(dir.resolve("job.conf"), data, dir.resolve("model"), dir.resolve("ckpt"),
                EPOCHS, 5);
        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString());
        assertEquals(ExitCodes.OK, r.code(), r.output());
        assertArrayEquals(reference, Fixtures.params(dir.resolve("model")), "checkpointing changes nothing");
        return conf;
    }

    private CheckpointStore store() {
        return new CheckpointStore(new Configuration(), dir.resolve("ckpt").toString());
    }

    private void deleteModel() throws IOException {
        org.apache.hadoop.fs.FileUtil.fullyDelete(dir.resolve("model").toFile());
    }

    @Test
    void givenAllreduceWithCheckpointsEveryFiveSteps_whenResumingFromAnOlderCheckpoint_thenTheModelIsBitIdentical()
            throws IOException {
        String[] allreduce = {"--set", "training.partitions=2", "--set", "training.exchange=allreduce"};
        Path refConf = Fixtures.config(dir.resolve("ref.conf"), data, dir.resolve("ref"), null, EPOCHS, 0);
        Fixtures.Result ref = Fixtures.run(concat(new String[] {"train", "--config", refConf.toString()}, allreduce));
        assertEquals(ExitCodes.OK, ref.code(), ref.output());
        byte[] expected = Fixtures.params(dir.resolve("ref"));

        Path conf = Fixtures.config(dir.resolve("job.conf"), data, dir.resolve("model"), dir.resolve("ckpt"), EPOCHS, 5);
        Fixtures.Result r = Fixtures.run(concat(new String[] {"train", "--config", conf.toString()}, allreduce));
        assertEquals(ExitCodes.OK, r.code(), r.output());
        assertArrayEquals(expected, Fixtures.params(dir.resolve("model")), "segments ending at checkpoints change nothing");

        List<org.apache.hadoop.fs.Path> all = store().list();
        assertEquals(3, all.size(), "keep-last = 3: " + all);
        org.apache.hadoop.fs.FileUtil.fullyDelete(Path.of(all.get(2).toUri()).toFile());
        org.apache.hadoop.fs.FileUtil.fullyDelete(Path.of(all.get(1).toUri()).toFile());
        deleteModel();
        Path log = Path.of("target", "test-spark.log");
        long before = Files.exists(log) ? Files.size(log) : 0;
        Fixtures.Result resumed = Fixtures.run(concat(new String[] {"train", "--config", conf.toString(), "--resume"},
                allreduce));
        assertEquals(ExitCodes.OK, resumed.code(), resumed.output());
        assertArrayEquals(expected, Fixtures.params(dir.resolve("model")), "resumed allreduce run");
        String newLog = Files.readString(log).substring((int) before);
        assertTrue(newLog.contains("starting from checkpoint " + all.get(0)) && newLog.contains("exchange: allreduce"),
                newLog);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void givenACorruptNewestCheckpoint_whenResuming_thenThePreviousOneIsUsedWithAWarnAndTheModelIsBitIdentical()
            throws IOException {
        Path conf = runWithCheckpoints();
        List<org.apache.hadoop.fs.Path> all = store().list();
        assertEquals(3, all.size(), "keep-last = 3: " + all);
        org.apache.hadoop.fs.Path newest = all.get(2);
        Path state = Path.of(newest.toUri()).resolve(CheckpointStore.STATE);
        byte[] bytes = Files.readAllBytes(state);
        bytes[bytes.length / 2] ^= 0x10; // one flipped bit in the parameters region
        Files.write(state, bytes);
        // drop the local filesystem's own .crc so the checkpoint's SHA-256 (what HDFS/S3 users rely on) catches it
        Files.deleteIfExists(state.resolveSibling("." + CheckpointStore.STATE + ".crc"));
        deleteModel();

        Path log = Path.of("target", "test-spark.log");
        long before = Files.exists(log) ? Files.size(log) : 0;
        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString(), "--resume");
        assertEquals(ExitCodes.OK, r.code(), r.output());
        assertArrayEquals(reference, Fixtures.params(dir.resolve("model")));
        String newLog = Files.readString(log).substring((int) before);
        assertTrue(newLog.contains("WARN  CheckpointStore: skipping invalid checkpoint " + newest)
                && newLog.contains("SHA-256"), newLog);
        assertTrue(newLog.contains("starting from checkpoint " + all.get(1)), newLog);
    }

    @Test
    void givenExistingCheckpoints_whenTrainingWithoutResume_thenRefusedWithTheFixAndFreshStartsOver() throws IOException {
        Path conf = runWithCheckpoints();
        deleteModel();
        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.output().contains("already holds 3 checkpoint(s)") && r.output().contains("pass --resume")
                && r.output().contains("--fresh"), r.output());

        Fixtures.Result fresh = Fixtures.run("train", "--config", conf.toString(), "--fresh");
        assertEquals(ExitCodes.OK, fresh.code(), fresh.output());
        assertArrayEquals(reference, Fixtures.params(dir.resolve("model")));
    }

    @Test
    void givenAChangedConfig_whenResuming_thenRefusedNamingBothHashesAndTheKeyUnlessForced() throws IOException {
        Path conf = runWithCheckpoints();
        deleteModel();
        String ckptHash = store().newestValid().orElseThrow().configHash();
        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString(), "--resume",
                "--set", "optimizer.learning-rate=0.05");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.output().contains("was written with config hash " + ckptHash + " but this run's config hash is ")
                && r.output().contains("differing keys: [optimizer.learning-rate]")
                && r.output().contains("--force-resume"), r.output());
        assertFalse(Files.exists(dir.resolve("model")));

        // keys that cannot change the result are not hashed: another output path and spark settings resume fine
        Fixtures.Result moved = Fixtures.run("train", "--config", conf.toString(), "--resume",
                "--set", "output.model-path=\"" + dir.resolve("model2") + "\"", "--set", "spark.app-name=other");
        assertEquals(ExitCodes.OK, moved.code(), moved.output());
        assertArrayEquals(reference, Fixtures.params(dir.resolve("model2")));

        Fixtures.Result forced = Fixtures.run("train", "--config", conf.toString(), "--force-resume",
                "--set", "optimizer.learning-rate=0.05");
        assertEquals(ExitCodes.OK, forced.code(), forced.output());
        assertFalse(java.util.Arrays.equals(reference, Fixtures.params(dir.resolve("model"))),
                "the last epochs ran with the other learning rate");
    }

    @Test
    void givenASavedModel_whenWarmStartingWithAVanishingLearningRate_thenTheParamsAreExactlyTheSource() throws IOException {
        Path conf = Fixtures.config(dir.resolve("warm.conf"), data, dir.resolve("warm"), null, 1, 0);
        // sgd with lr 1e-300: every update is far below one ulp of the parameters, so they stay bit-equal
        Fixtures.Result r = Fixtures.run("train", "--config", conf.toString(), "--init-from", referenceModel.toString(),
                "--set", "optimizer.kind=sgd", "--set", "optimizer.learning-rate=1e-300", "--set", "schedule.kind=constant");
        assertEquals(ExitCodes.OK, r.code(), r.output());
        assertArrayEquals(reference, Fixtures.params(dir.resolve("warm")));

        Fixtures.Result cold = Fixtures.run("train", "--config", conf.toString(),
                "--set", "output.model-path=\"" + dir.resolve("cold") + "\"",
                "--set", "optimizer.kind=sgd", "--set", "optimizer.learning-rate=1e-300", "--set", "schedule.kind=constant");
        assertEquals(ExitCodes.OK, cold.code(), cold.output());
        assertNotEquals(java.util.Arrays.toString(reference), java.util.Arrays.toString(Fixtures.params(dir.resolve("cold"))),
                "without --init-from the run starts from its own initialisation");
    }

    @Test
    void givenAModelWithOptimizerState_whenWarmStartingWithInitOptimizer_thenItContinuesAndMismatchesAreClearErrors()
            throws IOException {
        assertTrue(Files.exists(referenceModel.resolve(ModelStore.OPTIMIZER)), "train saves optimizer.bin");
        Path conf = Fixtures.config(dir.resolve("warm.conf"), data, dir.resolve("warm"), null, 1, 0);
        Fixtures.Result ok = Fixtures.run("train", "--config", conf.toString(), "--init-from", referenceModel.toString(),
                "--init-optimizer");
        assertEquals(ExitCodes.OK, ok.code(), ok.output());

        Fixtures.Result kind = Fixtures.run("train", "--config", conf.toString(), "--init-from", referenceModel.toString(),
                "--init-optimizer", "--set", "optimizer.kind=momentum", "--set", "output.model-path=\"" + dir.resolve("k") + "\"");
        assertEquals(ExitCodes.USAGE, kind.code());
        assertTrue(kind.output().contains("cannot restore the optimizer state of model " + referenceModel), kind.output());

        Fixtures.Result arch = Fixtures.run("train", "--config", conf.toString(), "--init-from", referenceModel.toString(),
                "--set", "model.hidden-layers=[4]", "--set", "output.model-path=\"" + dir.resolve("a") + "\"");
        assertEquals(ExitCodes.USAGE, arch.code());
        assertTrue(arch.output().contains("has architecture mlp 5-8(tanh)-3(identity), loss softmax_ce (75 params) "
                + "but this config builds mlp 5-4(tanh)-3(identity), loss softmax_ce (39 params)"), arch.output());
        assertFalse(Files.exists(dir.resolve("a")));

        Fixtures.Result scaling = Fixtures.run("train", "--config", conf.toString(), "--init-from", referenceModel.toString(),
                "--set", "data.scaling=none", "--set", "output.model-path=\"" + dir.resolve("s") + "\"");
        assertEquals(ExitCodes.USAGE, scaling.code());
        assertTrue(scaling.output().contains("data.scaling = standard but this config has data.scaling = none"),
                scaling.output());
    }
}
