package org.descent.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkException;
import org.descent.job.data.DataException;
import org.descent.job.train.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every failure maps to a code of the exit-code table (never picocli's 1). */
class ExitCodeMappingTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    private static String[] report(Throwable e) {
        StringWriter s = new StringWriter();
        int code = Failures.report(new PrintWriter(s), e);
        return new String[] {String.valueOf(code), s.toString()};
    }

    @Test
    void givenFailuresOfEachKind_whenReported_thenEachGetsItsListedCodeAndOneLine() {
        String[] data = report(new SparkException("Job aborted", new RuntimeException(new DataException("bad row at f:3"))));
        assertEquals(String.valueOf(ExitCodes.DATA), data[0]);
        assertEquals("data error: bad row at f:3", data[1].strip());
        String[] unexpected = report(new IllegalStateException("boom"));
        assertEquals(String.valueOf(ExitCodes.TRAINING), unexpected[0]);
        assertEquals(1, unexpected[1].strip().lines().count(), "no stack trace on the console: " + unexpected[1]);
        assertTrue(unexpected[1].contains("boom") && unexpected[1].contains("log file"), unexpected[1]);
        assertEquals(String.valueOf(ExitCodes.TRAINING), report(new IOException("disk full"))[0]);
    }

    private Path idx() throws IOException {
        Path in = Files.createDirectories(dir.resolve("idx"));
        for (String set : new String[] {"train", "t10k"}) {
            try (DataOutputStream d = new DataOutputStream(Files.newOutputStream(in.resolve(set + "-images-idx3-ubyte")))) {
                d.writeInt(0x803);
                d.writeInt(3);
                d.writeInt(2);
                d.writeInt(2);
                d.write(new byte[12]);
            }
            try (DataOutputStream d = new DataOutputStream(Files.newOutputStream(in.resolve(set + "-labels-idx1-ubyte")))) {
                d.writeInt(0x801);
                d.writeInt(3);
                d.write(new byte[] {0, 1, 2});
            }
        }
        return in;
    }

    @Test
    void givenAnOutputThatCannotBeWritten_whenConverting_thenExit4AndExistingOutputsExit2() throws Exception {
        // Given valid IDX files and an output directory below a regular file
        Path in = idx();
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        // When converting into it: the input is fine, the write fails -> 4 (not 3, a data error)
        CliRunner.Result r = CliRunner.run("convert", "--idx", in.toString(), "--out", file.resolve("out").toString());
        assertEquals(ExitCodes.TRAINING, r.code(), r.all());
        assertTrue(r.err().startsWith("failed: writing "), r.err());
        // And an existing output without --overwrite is a usage error found before Spark runs
        Path out = dir.resolve("out");
        assertEquals(ExitCodes.OK, CliRunner.run("convert", "--idx", in.toString(), "--out", out.toString()).code());
        CliRunner.Result again = CliRunner.run("convert", "--idx", in.toString(), "--out", out.toString());
        assertEquals(ExitCodes.USAGE, again.code(), again.all());
        assertTrue(again.err().contains("already exists; remove it or pass --overwrite"), again.err());
        // And a missing model for info is a data error with one line
        CliRunner.Result info = CliRunner.run("info", "--model", dir.resolve("none").toString());
        assertEquals(ExitCodes.DATA, info.code(), info.all());
        assertFalse(info.err().contains("\tat "), info.err());
    }
}
