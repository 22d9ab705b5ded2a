package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Rows that carry their values' dictionary ids ({@link ParsedRow#dictIds}, Parquet dictionary pages) are coded by id,
 * once per id: the chunk must be the one the same rows without ids give, bit for bit (code table and its order, every
 * code, the page kind after a 257th value), whatever the dictionaries (duplicate values, 0.0 and -0.0, a new
 * dictionary per row group, rows without ids in between), row lengths (page boundaries) and counts.
 */
class ParsedChunkIdsTest {

    @Test
    void givenRandomDictionaryRows_whenAddedWithIds_thenTheChunkIsTheOneTheValuesAloneGive() {
        Random rnd = new Random(31);
        for (int trial = 0; trial < 60; trial++) {
            ParsedChunk byId = new ParsedChunk(new RunStats("f", 0));
            ParsedChunk byValue = new ParsedChunk(new RunStats("f", 0));
            int width = 1 + rnd.nextInt(trial % 4 == 0 ? 3000 : 800); // up to ~230k values: rows straddle pages
            int rows = 1 + rnd.nextInt(120);
            int distinctCap = trial % 3 == 0 ? 300 : 1 + rnd.nextInt(256); // past 256: the codes end mid-row
            double[] dict = dictionary(rnd, distinctCap);
            for (int i = 0; i < rows; i++) {
                if (rnd.nextInt(25) == 0) dict = dictionary(rnd, distinctCap); // the next row group's chunk
                double[] values = new double[width];
                int[] ids = new int[width];
                for (int k = 0; k < width; k++) {
                    ids[k] = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(dict.length); // runs of id 0, like zero pixels
                    values[k] = dict[ids[k]];
                }
                ParsedRow a = new ParsedRow(i, null, values, null);
                if (rnd.nextInt(10) != 0) { // some rows without ids (a page that fell back to PLAIN)
                    a.dictIds = ids;
                    a.dictionary = dict;
                }
                byId.add(a);
                byValue.add(new ParsedRow(i, null, values.clone(), null));
            }
            assertSame(byValue, byId, "trial " + trial);
        }
    }

    /** Values in {@code [0, cap)} / 255 (some repeated, so two ids share a value), with 0.0 and -0.0 among them. */
    private static double[] dictionary(Random rnd, int cap) {
        double[] d = new double[1 + rnd.nextInt(cap)];
        for (int k = 0; k < d.length; k++) d[k] = rnd.nextInt(cap) / 255.0;
        if (d.length > 2) d[rnd.nextInt(d.length)] = -0.0;
        return d;
    }

    private static void assertSame(ParsedChunk want, ParsedChunk got, String what) {
        assertEquals(want.codedPages(), got.codedPages(), what);
        assertEquals(want.floatPages(), got.floatPages(), what);
        assertEquals(want.rows, got.rows, what);
        if (want.codedPages()) {
            double[] wt = want.codeTable();
            double[] gt = got.codeTable();
            assertEquals(wt.length, gt.length, what);
            for (int c = 0; c < wt.length; c++) {
                assertEquals(Double.doubleToRawLongBits(wt[c]), Double.doubleToRawLongBits(gt[c]), what);
            }
        }
        for (int i = 0; i < want.rows; i++) {
            assertEquals(want.length(i), got.length(i), what);
            long[] wb = new long[want.length(i)];
            long[] gb = new long[got.length(i)];
            for (int k = 0; k < wb.length; k++) {
                wb[k] = Double.doubleToRawLongBits(want.value(i, k));
                gb[k] = Double.doubleToRawLongBits(got.value(i, k));
                if (want.codedPages()) assertEquals(want.code(i, k), got.code(i, k), what);
            }
            assertArrayEquals(wb, gb, what);
        }
    }
}
