package org.descent.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate/predict on bad outputs, models and data: the message, the exit code, and nothing written. */
class BadInputCommandTest {
    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    static Path model;
    static Path data;

    @BeforeAll
    static void trainOnce() throws Exception {
        TestSpark.session();
        Path train = CliRunner.csv(shared.resolve("train.csv"), "blobs", 400, 5, 3, 3, 1);
        data = CliRunner.csv(shared.resolve("test.csv"), "blobs", 100, 5, 3, 3, 2);
        CliRunner.Result r = CliRunner.run("train", "--config", CliRunner.config(shared, "model", train, "softmax", 2, "")
                .toString());
        assertEquals(ExitCodes.OK, r.code(), r.all());
        model = shared.resolve("model");
    }

    private static List<String> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void givenAnExistingOutput_whenPredictingOrEvaluating_thenExit2AndTheOutputIsUntouched() throws Exception {
        Path out = Files.writeString(dir.resolve("preds.csv"), "keep me");
        CliRunner.Result r = CliRunner.run("predict", "-m", model.toString(), "-d", data.toString(), "-o", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.all());
        assertTrue(r.err().contains("already exists; choose another path or pass --overwrite"), r.err());
        assertEquals("keep me", Files.readString(out));
        CliRunner.Result e = CliRunner.run("evaluate", "-m", model.toString(), "-d", data.toString(), "-o", out.toString());
        assertEquals(ExitCodes.USAGE, e.code(), e.all());
        assertEquals("keep me", Files.readString(out));
        assertEquals(List.of("preds.csv"), listing(dir));

        // and with --overwrite the output is replaced
        CliRunner.Result ok = CliRunner.run("evaluate", "-m", model.toString(), "-d", data.toString(), "-o", out.toString(),
                "--overwrite");
        assertEquals(ExitCodes.OK, ok.code(), ok.all());
        assertTrue(Files.readString(out).contains("\"accuracy\""));
    }

    @Test
    void givenAnOutputWhoseParentIsAFile_whenPredicting_thenExit2NamingTheFileAndNothingWritten() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Path out = file.resolve("sub/preds.parquet");
        CliRunner.Result r = CliRunner.run("predict", "-m", model.toString(), "-d", data.toString(), "-o", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.all());
        assertTrue(r.err().contains(file + " is a file, not a directory"), r.err());
        assertEquals(List.of("plain-file"), listing(dir));
        CliRunner.Result e = CliRunner.run("evaluate", "-m", model.toString(), "-d", data.toString(), "-o",
                file.resolve("m.json").toString());
        assertEquals(ExitCodes.USAGE, e.code(), e.all());
        assertTrue(e.err().contains("is a file, not a directory"), e.err());
    }

    @Test
    void givenACorruptParamsFile_whenEvaluating_thenExit3NamingTheFileAndNoOutput() throws Exception {
        Path bad = copyModel("corrupt");
        byte[] b = Files.readAllBytes(bad.resolve("params.bin"));
        b[20] ^= 0x40;
        Files.write(bad.resolve("params.bin"), b);
        Path out = dir.resolve("m.json");
        CliRunner.Result r = CliRunner.run("evaluate", "-m", bad.toString(), "-d", data.toString(), "-o", out.toString());
        assertEquals(ExitCodes.DATA, r.code(), r.all());
        assertTrue(r.err().contains("params.bin: CRC32 mismatch") && r.err().contains("corrupted"), r.err());
        assertFalse(Files.exists(out));
        CliRunner.Result info = CliRunner.run("info", "-m", bad.toString());
        assertEquals(ExitCodes.DATA, info.code(), info.all());
    }

    @Test
    void givenAModelOfAnotherFormatVersion_whenPredicting_thenExit3WithTheVersionsAndNoOutput() throws Exception {
        Path bad = copyModel("v99");
        Path meta = bad.resolve("metadata.json");
        Files.writeString(meta, Files.readString(meta).replaceFirst("\"formatVersion\" : 1", "\"formatVersion\" : 99"));
        Path out = dir.resolve("p.parquet");
        CliRunner.Result r = CliRunner.run("predict", "-m", bad.toString(), "-d", data.toString(), "-o", out.toString());
        assertEquals(ExitCodes.DATA, r.code(), r.all());
        assertTrue(r.err().contains("formatVersion 99 is not supported; this build reads 1"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void givenAMissingModelDirectory_whenEvaluating_thenExit3() {
        CliRunner.Result r = CliRunner.run("evaluate", "-m", dir.resolve("nope").toString(), "-d", data.toString());
        assertEquals(ExitCodes.DATA, r.code(), r.all());
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test
    void givenDataOfTheWrongWidth_whenPredictingAndEvaluating_thenExit3ModelExpectsAndNothingWritten() throws Exception {
        Path narrow = CliRunner.csv(dir.resolve("narrow.csv"), "blobs", 50, 3, 3, 3, 5);
        Path out = dir.resolve("out.parquet");
        CliRunner.Result r = CliRunner.run("predict", "-m", model.toString(), "-d", narrow.toString(), "-o", out.toString());
        assertEquals(ExitCodes.DATA, r.code(), r.all());
        assertTrue(r.err().contains("model expects 5 features, data has 3"), r.err());
        CliRunner.Result e = CliRunner.run("evaluate", "-m", model.toString(), "-d", narrow.toString(), "-o",
                dir.resolve("m.json").toString());
        assertEquals(ExitCodes.DATA, e.code(), e.all());
        assertTrue(e.err().contains("model expects 5 features, data has 3"), e.err());
        assertEquals(List.of("narrow.csv"), listing(dir), "no output, no temp files");
    }

    @Test
    void givenUnlabelledData_whenEvaluating_thenExit3ButPredictWritesWithoutALabelColumn() throws Exception {
        Path unl = dir.resolve("unl.csv");
        List<String> lines = Files.readAllLines(data);
        StringBuilder b = new StringBuilder();
        for (String l : lines) b.append(l, 0, l.lastIndexOf(',')).append('\n');
        Files.writeString(unl, b.toString());
        CliRunner.Result e = CliRunner.run("evaluate", "-m", model.toString(), "-d", unl.toString());
        assertEquals(ExitCodes.DATA, e.code(), e.all());
        assertTrue(e.err().contains("without a label"), e.err());
        Path out = dir.resolve("p.parquet");
        CliRunner.Result p = CliRunner.run("predict", "-m", model.toString(), "-d", unl.toString(), "-o", out.toString());
        assertEquals(ExitCodes.OK, p.code(), p.all());
        assertEquals(List.of("id", "prediction", "prob_0", "prob_1", "prob_2"),
                List.of(TestSpark.session().read().parquet(out.toString()).columns()));
    }

    private Path copyModel(String name) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        for (String f : List.of("metadata.json", "params.bin")) Files.copy(model.resolve(f), d.resolve(f));
        return d;
    }
}
