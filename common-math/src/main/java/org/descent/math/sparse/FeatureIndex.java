package org.descent.math.sparse;

/**
 * The sorted distinct features of a batch and each one's local index, in time linear in the batch's entries:
 * a bitset over the {@code d} features marks what the entries hold, one scan of its {@code d / 64} words lists
 * them in ascending order (and clears the bits again), and {@code slot[f]} gives feature {@code f}'s position in
 * that list, so re-indexing an entry is one array read. Replaces a sort of all the batch's entries and a binary
 * search per entry (O(nnz log nnz), most of a sparse step's compute before).
 *
 * <p>Memory: {@code d / 8 + 4 d} bytes, allocated once per partition (4 bytes per feature against the model's
 * {@code 8 k}). Call order: {@link #add} (any number of index ranges), {@link #finish} (the list; the bits are
 * clear again), then {@link #rows} / {@link #slot} / {@link #remap} until the next {@link #add}. Not thread-safe.
 */
public final class FeatureIndex {
    private final int d;
    private final long[] bits;
    private final int[] slot;
    private int[] rows = new int[16];
    private int count;

    public FeatureIndex(int d) {
        if (d < 0) throw new IllegalArgumentException("FeatureIndex: d = " + d);
        this.d = d;
        this.bits = new long[(d + 63) >>> 6];
        this.slot = new int[d];
    }

    /** Marks the features {@code idx[from..to)} (each in {@code [0, d)}). */
    public void add(int[] idx, int from, int to) {
        for (int p = from; p < to; p++) {
            int c = idx[p];
            bits[c >>> 6] |= 1L << c; // shifts use the low 6 bits: c mod 64
        }
    }

    /** Lists the marked features ascending, gives each its slot, clears the marks; returns their count. */
    public int finish() {
        int t = 0;
        for (int w = 0; w < bits.length; w++) {
            long word = bits[w];
            if (word == 0) continue;
            bits[w] = 0;
            int need = t + Long.bitCount(word);
            if (need > rows.length) rows = java.util.Arrays.copyOf(rows, Math.max(need, rows.length * 2));
            while (word != 0) {
                int f = (w << 6) + Long.numberOfTrailingZeros(word);
                slot[f] = t;
                rows[t++] = f;
                word &= word - 1;
            }
        }
        count = t;
        return t;
    }

    /** The sorted distinct features of the last {@link #finish}, {@code rows()[0..count)} (the array itself). */
    public int[] rows() {
        return rows;
    }

    /** How many features the last {@link #finish} listed. */
    public int count() {
        return count;
    }

    /** Local index of feature {@code f}, valid only for a feature of the last {@link #finish}. */
    public int slot(int f) {
        return slot[f];
    }

    /** {@code out[p] = slot(idx[p])} for p in {@code [from, to)}; every index must be among the listed features. */
    public void remap(int[] idx, int from, int to, int[] out) {
        for (int p = from; p < to; p++) out[p] = slot[idx[p]];
    }

    public int features() {
        return d;
    }
}
