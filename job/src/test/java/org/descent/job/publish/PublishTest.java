package org.descent.job.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.descent.job.checkpoint.Fixtures;
import org.descent.job.cli.ExitCodes;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retraining pipeline's publish step against a store in a temp directory (in-process, local[2]). */
class PublishTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path validation;
    static Path good;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainAGoodModel() throws IOException {
        TestSpark.session();
        data = Fixtures.blobs(shared.resolve("train.libsvm"), 400, 21, 1.5);
        validation = Fixtures.blobs(shared.resolve("validation.libsvm"), 300, 22, 1.5);
        good = shared.resolve("good");
        Path conf = Fixtures.config(shared.resolve("good.conf"), data, good, null, 4, 0);
        assertEquals(ExitCodes.OK, Fixtures.run("train", "--config", conf.toString()).code());
    }

    private Fixtures.Result publish(Path candidate, String version, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("publish", "--store", dir.resolve("store").toString(),
                "--name", "blobs", "--version", version, "--candidate", candidate.toString(),
                "--validation", validation.toString(), "--metric", "accuracy", "--tolerance", "0.005"));
        args.addAll(List.of(extra));
        return Fixtures.run(args.toArray(String[]::new));
    }

    private ModelRegistry registry() throws IOException {
        return new ModelRegistry(new Configuration(), dir.resolve("store").toString(), "blobs");
    }

    private Path versions() {
        return dir.resolve("store/blobs/versions");
    }

    private List<String> versionNames() throws IOException {
        try (var s = Files.list(versions())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void givenAnEmptyStore_whenPublishingTwiceAndThenAWorseModel_thenV1IsCurrentTheRerunIsANoOpAndTheWorseIsRejected()
            throws IOException {
        Fixtures.Result first = publish(good, "v1");
        assertEquals(ExitCodes.OK, first.code(), first.output());
        assertTrue(first.output().contains("promoted: accuracy: candidate v1 0.") && first.output().contains("no current"),
                first.output());
        assertEquals("v1\n", Files.readString(dir.resolve("store/blobs/current")));
        assertArrayEquals(Fixtures.params(good), Fixtures.params(versions().resolve("v1")));
        assertTrue(Files.exists(versions().resolve("v1/version.json")));

        Fixtures.Result again = publish(good, "v1");
        assertEquals(ExitCodes.ALREADY_PUBLISHED, again.code(), again.output());
        assertTrue(again.output().contains("already published"), again.output());
        assertEquals(List.of("v1"), versionNames());

        // sabotaged: one epoch of plain SGD at a tiny learning rate, no warm start
        Path bad = dir.resolve("bad");
        Path conf = Fixtures.config(dir.resolve("bad.conf"), data, bad, null, 1, 0);
        assertEquals(ExitCodes.OK, Fixtures.run("train", "--config", conf.toString(), "--set", "optimizer.kind=sgd",
                "--set", "optimizer.learning-rate=1e-5", "--set", "schedule.kind=constant").code());
        Fixtures.Result worse = publish(bad, "v2");
        assertEquals(ExitCodes.GATE_REJECTED, worse.code(), worse.output());
        assertTrue(worse.output().matches("(?s)rejected by the gate: accuracy: candidate v2 0\\.\\d+, current v1 0\\.\\d+, "
                + "tolerance 0.005; .* unchanged \\(current stays v1\\).*"), worse.output());
        assertEquals("v1\n", Files.readString(dir.resolve("store/blobs/current")));
        assertEquals(List.of("v1"), versionNames(), "a rejected candidate leaves no version behind");
        assertEquals(ExitCodes.GATE_REJECTED, publish(bad, "v2").code(), "re-running a rejection is rejected again");

        // a newer version is promoted; a stale re-run of the v1 retraining must not roll current back
        assertEquals(ExitCodes.OK, publish(good, "v3").code());
        assertEquals("v3\n", Files.readString(dir.resolve("store/blobs/current")));
        Fixtures.Result stale = publish(good, "v1");
        assertEquals(ExitCodes.ALREADY_PUBLISHED, stale.code(), stale.output());
        assertTrue(stale.output().contains("v1 was promoted earlier") && stale.output().contains("v3 has replaced it"),
                stale.output());
        assertEquals("v3\n", Files.readString(dir.resolve("store/blobs/current")), "no rollback");
        assertEquals(List.of("v1", "v3"), versionNames());

        Fixtures.Result clash = publish(bad, "v1");
        assertEquals(ExitCodes.USAGE, clash.code());
        assertTrue(clash.output().contains("version v1 already exists") && clash.output().contains("choose another --version"),
                clash.output());
    }

    @Test
    void givenManyVersions_whenPublishingWithKeep_thenOnlyTheOldestBeyondKeepAreDeletedNeverCurrent() throws Exception {
        for (String v : List.of("a1", "a2", "a3")) {
            assertEquals(ExitCodes.OK, publish(good, v).code()); // same params: each passes the gate (equal metric)
            Thread.sleep(5); // distinct publishedAt
        }
        Fixtures.Result r = publish(good, "a4", "--keep", "2");
        assertEquals(ExitCodes.OK, r.code(), r.output());
        assertTrue(r.output().contains("deleted old versions [a2, a1]"), r.output());
        assertEquals(List.of("a3", "a4"), versionNames());

        ModelRegistry reg = registry();
        reg.setCurrent("a3"); // a rollback: current is not the newest
        assertEquals(Optional.of("a3"), reg.current());
        assertEquals(List.of(), reg.retain(1), "a3 is current, a4 is the newest: nothing to delete");
        assertEquals(List.of("a3", "a4"), versionNames());
    }

    @Test
    void givenStatusMode_whenQuerying_thenCurrentVersionAndCandidatePresenceArePrinted() throws IOException {
        Fixtures.Result empty = Fixtures.run("publish", "--status", "--store", dir.resolve("store").toString(),
                "--name", "blobs", "--version", "s1", "--candidate", good.toString());
        assertEquals(ExitCodes.OK, empty.code(), empty.output());
        assertEquals(List.of("current=", "version=absent", "candidate=present"), empty.output().lines().toList());
        Path cand = dir.resolve("cand");
        Files.createDirectories(cand);
        for (String f : List.of("metadata.json", "params.bin")) Files.copy(good.resolve(f), cand.resolve(f));
        assertEquals(ExitCodes.OK, publish(cand, "s1", "--move").code());
        assertFalse(Files.exists(cand), "--move deletes the candidate after promotion");
        Fixtures.Result after = Fixtures.run("publish", "--status", "--store", dir.resolve("store").toString(),
                "--name", "blobs", "--version", "s1");
        assertEquals(List.of("current=s1", "version=present"), after.output().lines().toList());
    }

    @Test
    void givenLeftoversOfAKilledPublishAndOfPromotedCandidates_whenPublishing_thenTheyAreRemovedAndOthersKept()
            throws IOException {
        // Given v1 promoted, then what a killed publish leaves (temp copies) and what retraining leaves per version
        assertEquals(ExitCodes.OK, publish(good, "v1").code());
        Path store = dir.resolve("store/blobs");
        Files.createDirectories(versions().resolve(".v2.tmp-1234/sub"));
        Files.writeString(store.resolve(".current.tmp-5678"), "v2\n");
        Path cands = Files.createDirectories(store.resolve("candidates"));
        for (String n : List.of("v1", "v1.ckpt", "v1.run", "v0-rejected", "v0-rejected.ckpt")) {
            Files.createDirectories(cands.resolve(n));
        }
        // When publishing v2 (the same parameters under another version id: passes the gate)
        Fixtures.Result r = publish(good, "v2");
        assertEquals(ExitCodes.OK, r.code(), r.output());
        // Then the temp copies and the promoted v1's candidate leftovers are gone, a never-promoted one is kept
        assertFalse(Files.exists(versions().resolve(".v2.tmp-1234")), r.output());
        assertFalse(Files.exists(store.resolve(".current.tmp-5678")), r.output());
        try (var s = Files.list(cands)) {
            assertEquals(List.of("v0-rejected", "v0-rejected.ckpt"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(r.output().contains("removed leftovers of earlier publishes"), r.output());
        assertEquals(List.of("v1", "v2"), versionNames());
        assertFalse(Files.exists(dir.resolve("store/.blobs.lease")), "the publish lease is released");
    }
}
