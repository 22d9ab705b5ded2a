package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The parsed rows' pages: codes while few distinct, float32 while exact, float64 after, values bit for bit each way. */
class ParsedChunkTest {

    private static ParsedRow dense(double label, double... values) {
        return new ParsedRow(label, null, values, null);
    }

    /** Asserts that every stored value of every row is bitwise the parsed one. */
    private static void assertHolds(ParsedChunk c, List<ParsedRow> rows) {
        assertEquals(rows.size(), c.rows);
        for (int i = 0; i < c.rows; i++) {
            ParsedRow r = rows.get(i);
            assertEquals(r.values.length, c.length(i));
            for (int k = 0; k < r.values.length; k++) {
                assertEquals(Double.doubleToRawLongBits(r.values[k]), Double.doubleToRawLongBits(c.value(i, k)));
                assertEquals(r.indices == null ? k : r.indices[k] - 1, c.column(i, k));
            }
        }
    }

    @Test
    void givenPixelValues_whenParsed_thenFloatPagesHoldThemExactly() {
        Random rnd = new Random(1);
        ParsedChunk c = new ParsedChunk(new RunStats("f", 0));
        List<ParsedRow> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) { // 400 x 784 values: three pages, rows straddle pages
            double[] x = new double[784];
            for (int j = 0; j < x.length; j++) x[j] = rnd.nextInt(256);
            x[3] = -0.0;
            rows.add(dense(i % 10, x));
            c.add(rows.get(i));
        }
        assertTrue(c.floatPages());
        assertHolds(c, rows);
        double[] copy = new double[784];
        c.copyDense(137, copy, 0, 784);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(copy[3]));
        for (int j = 0; j < 784; j++) assertEquals(rows.get(137).values[j], copy[j]);
    }

    @Test
    void givenScaledPixels_whenParsedShippedAndExtended_thenCodesHoldThemExactly() throws Exception {
        Random rnd = new Random(3);
        ParsedChunk c = new ParsedChunk(new RunStats("f", 0));
        List<ParsedRow> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // byte / 255.0: 256 values, none a float32
            double[] x = new double[784];
            for (int j = 0; j < x.length; j++) x[j] = (i == 0 ? j % 256 : rnd.nextInt(256)) / 255.0;
            rows.add(dense(i % 10, x));
            c.add(rows.get(i));
        }
        assertTrue(c.codedPages());
        assertHolds(c, rows);
        double[] copy = new double[784];
        c.copyDense(201, copy, 0, 784);
        for (int j = 0; j < 784; j++) assertEquals(rows.get(201).values[j], copy[j]);
        // shipped (Java serialization, as a spill or shuffle does), then a 257th distinct value: float64 pages
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        ParsedChunk back;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            back = (ParsedChunk) in.readObject();
        }
        rows.add(dense(1, 7 / 255.0, 128 / 255.0));
        back.add(rows.get(300));
        assertTrue(back.codedPages());
        rows.add(dense(2, 1e-3, 0.25));
        back.add(rows.get(301));
        assertFalse(back.floatPages());
        assertHolds(back, rows);
    }

    @Test
    void givenAValueNotExactInFloat32_whenParsed_thenThePagesWidenAndKeepEveryValue() {
        Random rnd = new Random(2);
        ParsedChunk c = new ParsedChunk(new RunStats("f", 0));
        List<ParsedRow> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            double[] x = new double[500];
            for (int j = 0; j < x.length; j++) x[j] = i < 200 ? rnd.nextInt(100) * 0.5 : rnd.nextGaussian();
            rows.add(dense(i, x));
            c.add(rows.get(i));
            assertEquals(i < 200, c.floatPages());
        }
        assertFalse(c.floatPages());
        assertHolds(c, rows);
    }

    @Test
    void givenDenseThenSparseRows_whenSplitOffAndTrimmed_thenRowsIdsAndIndicesSurvive() {
        ParsedChunk c = new ParsedChunk(new RunStats("f", 0));
        List<ParsedRow> rows = new ArrayList<>();
        rows.add(dense(1, 1.0, 2.0, 3.0));
        rows.add(new ParsedRow(0, new int[] {2, 7}, new double[] {0.25, 4.0}, "s1"));
        rows.add(new ParsedRow(2, new int[] {1, 3, 9}, new double[] {0.1, -0.0, 5.0}, null));
        for (ParsedRow r : rows) c.add(r);
        assertTrue(c.codedPages()); // 8 distinct values (0.1 too, not a float32): codes
        assertHolds(c, rows);

        ParsedChunk odd = new ParsedChunk(null);
        odd.addRowOf(c, 1, 41L);
        odd.addRowOf(c, 2, 57L);
        odd.trimmed();
        assertEquals(2, odd.rows);
        assertEquals(41L, odd.id(0, 0));
        assertEquals(57L, odd.id(1, 0));
        assertEquals("s1", odd.sourceIds[0]);
        assertHolds(odd, rows.subList(1, 3));
        assertEquals(5L, c.id(2, 3L)); // a parse chunk's ids come from its plan offset
    }
}
