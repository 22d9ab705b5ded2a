package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV through Commons CSV (quotes, doubled quotes, quoted delimiters), binary input in messages, hints naming keys. */
class CsvQuotingTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = TestSpark.session("CsvQuotingTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static DataSpec spec(String p, String id, LabelType type, int numClasses) {
        return TestSpark.csv(p, true, "y", id, 0, type, numClasses, BadRowPolicy.FAIL);
    }

    private String failure(DataSpec spec) {
        return assertThrows(DataException.class, () -> DataLoader.load(spark, spec, 2, 1L)).getMessage();
    }

    @Test
    void givenQuotedFieldsWithDelimitersAndDoubledQuotes_whenLoaded_thenFieldsAreSplitAsRfc4180() throws Exception {
        // Given a header whose names hold the delimiter and a doubled quote, and quoted numbers with spaces around
        String p = TestSpark.write(dir.resolve("q.csv"), "\"id, text\",\"a \"\"x\"\"\",y,b",
                "\"r,1\", 1.5 ,1,\"2\"", "\"r \"\"2\"\"\",\"3\",0, 4 ");
        // When loaded with the quoted id column
        LoadedData d = DataLoader.load(spark, spec(p, "id, text", LabelType.CLASS_INDEX, 0), 2, 1L);
        // Then the embedded delimiter did not split a field: 2 features, labels 1 and 0
        assertEquals(2, d.numFeatures());
        List<double[]> rows = TestSpark.rows(d);
        assertArrayEquals(new double[] {0, 1, 1.5, 2}, rows.get(0));
        assertArrayEquals(new double[] {1, 0, 3, 4}, rows.get(1));
    }

    @Test
    void givenAnUnterminatedQuote_whenLoaded_thenFailsNamingFileLineAndFix() throws Exception {
        String p = TestSpark.write(dir.resolve("u.csv"), "a,y,b", "1,0,2", "1,\"1,2");
        String m = failure(spec(p, null, LabelType.CLASS_INDEX, 0));
        assertTrue(m.contains("malformed CSV line '1,\"1,2'") && m.contains("u.csv:3") && m.contains("double quotes"), m);
    }

    @Test
    void givenABinaryFile_whenLoaded_thenTheErrorShowsEscapedShortenedBytes() throws Exception {
        // Given a "CSV" whose second line is binary: NUL, ESC, invalid UTF-8, and 300 more bytes
        Path f = dir.resolve("bin.csv");
        byte[] head = "a,y,b\n1,0,".getBytes(StandardCharsets.US_ASCII);
        byte[] bin = new byte[300];
        for (int i = 0; i < bin.length; i++) bin[i] = (byte) (i * 7);
        bin[0] = 'z';
        bin[1] = 0;
        bin[2] = 0x1b;
        bin[3] = (byte) 0xff;
        byte[] all = new byte[head.length + bin.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bin, 0, all, head.length, bin.length);
        Files.write(f, all);
        // When loaded
        String m = failure(spec(f.toString(), null, LabelType.CLASS_INDEX, 0));
        // Then the message holds escapes, no raw control character, and no more than a short excerpt
        assertTrue(m.contains("'z\\0\\x1b\\ufffd"), m);
        for (char c : m.toCharArray()) assertFalse(c < 0x20 || c == 0xfffd, "raw character " + (int) c + " in: " + m);
        assertTrue(m.length() < 400, m.length() + ": " + m);
        assertTrue(m.contains("bin.csv:2"), m);
    }

    @Test
    void givenBadLabels_whenLoaded_thenTheHintsNameConfigKeys() throws Exception {
        String p = TestSpark.write(dir.resolve("l.csv"), "a,y", "1,0", "2,0.5");
        String m = failure(spec(p, null, LabelType.CLASS_INDEX, 0));
        assertTrue(m.contains("data.label-type = real"), m);
        String p2 = TestSpark.write(dir.resolve("r.csv"), "a,y", "1,0", "2,7");
        String m2 = failure(spec(p2, null, LabelType.CLASS_INDEX, 3));
        assertTrue(m2.contains("data.num-classes = 0") && !m2.contains("numClasses"), m2);
    }

    @Test
    void givenTextWithControlCharacters_whenAbbreviated_thenEscapedAndCut() {
        assertEquals("a\\0b\\tc", Fields.abbreviate("a\0b\tc"));
        String forty = "x".repeat(40);
        assertEquals(forty, Fields.abbreviate(forty));
        assertEquals("x".repeat(37) + "...", Fields.abbreviate(forty + "y"));
        String escaped = Fields.abbreviate("\u0001".repeat(100));
        assertTrue(escaped.length() <= 40 && escaped.startsWith("\\x01\\x01") && escaped.endsWith("\\x01..."), escaped);
    }
}
