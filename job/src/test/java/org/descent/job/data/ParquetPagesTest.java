package org.descent.job.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link ParquetPages#hybrid}'s byte-a-value path (bit width 8) against a plain bit-field decoder (the general loop's
 * rule: values packed least significant bit first, zeros past the data's end) on random run-length / bit-packed data:
 * runs of every kind and length, counts that end inside a run or a group, data cut short, a position inside a buffer.
 */
class ParquetPagesTest {

    @Test
    void givenRandomHybridDataOfEveryWidth_whenDecoded_thenTheIdsAreThoseOfTheBitFieldDecoder() {
        Random rnd = new Random(17);
        for (int trial = 0; trial < 3000; trial++) {
            int width = trial % 3 == 0 ? 8 : 1 + rnd.nextInt(12);
            int prefix = rnd.nextInt(3);
            byte[] data = encode(rnd, width, prefix);
            int total = 1 + rnd.nextInt(data.length * 2 + 1);
            int end = rnd.nextInt(5) == 0 ? prefix + rnd.nextInt(data.length - prefix + 1) : data.length; // cut short
            ByteBuffer buf = ByteBuffer.wrap(data);
            int[] want = new int[total];
            int[] got = new int[total];
            String wantError = null;
            try {
                reference(data, prefix, end, width, total, want);
            } catch (IllegalStateException e) {
                wantError = e.getMessage();
            }
            if (wantError != null) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> ParquetPages.hybrid(buf, prefix, end, width, total, got));
                assertEquals(wantError, e.getMessage(), "trial " + trial);
            } else {
                ParquetPages.hybrid(buf, prefix, end, width, total, got);
                assertArrayEquals(want, got, "trial " + trial + ", width " + width);
            }
        }
    }

    @Test
    void givenWidth8GroupsEndingMidGroup_whenDecoded_thenEachByteIsAnIdAndTheRestOfTheGroupIsUnread() {
        // header 0x05: two bit-packed groups (16 values); then an RLE run of 3 copies of 9
        byte[] data = new byte[1 + 16 + 2];
        data[0] = 0x05;
        for (int k = 0; k < 16; k++) data[1 + k] = (byte) (250 - k * 10);
        data[17] = 0x06;
        data[18] = 9;
        int[] out = new int[19];
        ParquetPages.hybrid(ByteBuffer.wrap(data), 0, data.length, 8, 19, out);
        int[] want = new int[19];
        for (int k = 0; k < 16; k++) want[k] = (250 - k * 10) & 0xff;
        Arrays.fill(want, 16, 19, 9);
        assertArrayEquals(want, out);
        int[] few = new int[5];
        ParquetPages.hybrid(ByteBuffer.wrap(data), 0, data.length, 8, 5, few);
        assertArrayEquals(Arrays.copyOf(want, 5), few);
    }

    /** Random runs: a prefix of junk, then RLE runs (1-300 copies) and bit-packed runs (1-40 groups of 8). */
    private static byte[] encode(Random rnd, int width, int prefix) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int k = 0; k < prefix; k++) out.write(rnd.nextInt(256));
        int runs = 1 + rnd.nextInt(6);
        int bytesPerValue = (width + 7) / 8;
        for (int r = 0; r < runs; r++) {
            if (rnd.nextBoolean()) {
                varint(out, (1 + rnd.nextInt(300)) << 1);
                int v = rnd.nextInt(1 << width);
                for (int k = 0; k < bytesPerValue; k++) out.write((v >>> (8 * k)) & 0xff);
            } else {
                int groups = 1 + rnd.nextInt(40);
                varint(out, (groups << 1) | 1);
                long acc = 0;
                int bits = 0;
                for (int k = 0; k < groups * 8; k++) {
                    acc |= (long) rnd.nextInt(1 << width) << bits;
                    bits += width;
                    while (bits >= 8) {
                        out.write((int) (acc & 0xff));
                        acc >>>= 8;
                        bits -= 8;
                    }
                }
            }
        }
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    /** The hybrid rule one bit at a time (bytes at or past {@code end} read as 0 inside a bit-packed run). */
    private static void reference(byte[] b, int pos, int end, int width, int n, int[] out) {
        int i = 0;
        while (i < n) {
            if (pos >= end) throw new IllegalStateException("run-length data ends after " + i + " of " + n + " values");
            int header = 0;
            int shift = 0;
            int x;
            do {
                x = b[pos++] & 0xff;
                header |= (x & 0x7f) << shift;
                shift += 7;
            } while ((x & 0x80) != 0);
            if ((header & 1) == 0) {
                int v = 0;
                for (int k = 0; k < (width + 7) / 8; k++) v |= (b[pos++] & 0xff) << (8 * k);
                for (int k = 0; k < header >>> 1 && i < n; k++) out[i++] = v;
            } else {
                int values = (header >>> 1) * 8;
                for (int k = 0; k < values && i < n; k++, i++) {
                    int v = 0;
                    for (int bit = 0; bit < width; bit++) {
                        long at = (long) k * width + bit;
                        int p = pos + (int) (at >>> 3);
                        int byteValue = p < end ? b[p] & 0xff : 0;
                        v |= ((byteValue >>> (at & 7)) & 1) << bit;
                    }
                    out[i] = v;
                }
                pos += (values * width + 7) / 8;
            }
        }
    }
}
