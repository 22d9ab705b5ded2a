package org.descent.job.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The distinct values of a {@link ParsedChunk}'s code pages: at most {@link #CODES} of them, code c standing for
 * {@code values[c]}, numbered in order of first appearance. {@link #code} finds or adds a value by its raw bits
 * (open addressing over 512 slots, rebuilt after the chunk is shipped), so equal bit patterns share a code and the
 * values read back are the parsed doubles exactly. Not thread-safe (one per chunk, filled by one parse).
 */
final class CodeTable implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Distinct values the codes can name. */
    static final int CODES = 256;

    /** The coded values, in order of first appearance ({@link #size} of them). */
    final double[] values = new double[CODES];
    private int size;
    /** Whether every coded value is exactly a float32 (the codes then become float32 pages). */
    private boolean floats = true;
    /** Value to code lookup: open addressing on the raw bits, slot = code + 1 (0: empty); rebuilt after shipping. */
    private transient long[] keys;
    private transient short[] slots;

    /** The code of v (adding it to the table), or -1 when the table is full and v is not in it. */
    int code(double v) {
        if (keys == null) {
            keys = new long[2 * CODES];
            slots = new short[2 * CODES];
            for (int c = 0; c < size; c++) insert(Double.doubleToRawLongBits(values[c]), c);
        }
        long bits = Double.doubleToRawLongBits(v);
        int h = slot(bits);
        while (slots[h] != 0) {
            if (keys[h] == bits) return slots[h] - 1;
            h = (h + 1) & (2 * CODES - 1);
        }
        if (size == CODES) return -1;
        values[size] = v;
        if ((float) v != v) floats = false;
        keys[h] = bits;
        slots[h] = (short) (size + 1);
        return size++;
    }

    /** Whether every coded value is exactly a float32. */
    boolean floats() {
        return floats;
    }

    /** The coded values (a copy, {@code size} long). */
    double[] copy() {
        return Arrays.copyOf(values, size);
    }

    private void insert(long bits, int code) {
        int h = slot(bits);
        while (slots[h] != 0) h = (h + 1) & (2 * CODES - 1);
        keys[h] = bits;
        slots[h] = (short) (code + 1);
    }

    private static int slot(long bits) {
        long x = bits * 0x9E3779B97F4A7C15L;
        return (int) (x >>> 55); // the top 9 bits: 0..511
    }
}
