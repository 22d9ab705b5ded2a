package org.descent.job.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * One numeric leaf column of a row group, decoded a whole page at a time into plain arrays: repetition levels,
 * definition levels and the non-null values as doubles ({@code (double)} of the INT32/INT64/FLOAT/DOUBLE value, which is
 * what Spark's {@code ArrayData.getInt/getLong/getFloat/getDouble} widened to double give). parquet-mr's
 * {@code ColumnReaderImpl} decodes one value per call, and its run-length/bit-packing decoder allocates two arrays per
 * bit-packed run; on Fashion-MNIST (47M values) that was ~half the read's CPU in a cold JVM. Here a page's levels and
 * dictionary ids are unpacked in one loop each, which the JIT compiles early (on-stack replacement) and which allocates
 * nothing per value.
 *
 * <p>Encodings: levels RLE (the only level encoding Parquet writers have used since format 2.0; the deprecated
 * BIT_PACKED levels make the caller fall back, {@link ParquetRowGroups.Unsupported}); values PLAIN, PLAIN_DICTIONARY /
 * RLE_DICTIONARY (ids decoded here), and any other encoding through parquet-mr's own {@link ValuesReader}, one call per
 * value. Pages come decompressed (and decrypted) from the row group's {@link PageReader}.
 *
 * <p>Call order: construct on the row group's page reader, then {@link #next} before reading each level and value
 * ({@link #rep}, {@link #def}; the values through {@link #copyRun}); {@link #next} returns false after the column chunk's last value.
 */
final class ParquetPages {
    private final ColumnDescriptor column;
    private final PageReader pages;
    private final PrimitiveTypeName type;
    private final int maxRep;
    private final int maxDef;
    /** The dictionary's values as doubles, or null (no dictionary page). */
    private final double[] dictionary;
    private int[] reps = new int[0];
    private int[] defs = new int[0];
    private double[] values = new double[0];
    private int[] ids = new int[0];
    /** Whether the current page's values are dictionary ids ({@link #ids}, one per value); a writer may fall back to PLAIN. */
    private boolean dictionaryPage;
    /** Levels in the current page, the current level's index and the next value's index. */
    private int count;
    private int at = -1;
    private int valueAt;

    ParquetPages(ColumnDescriptor column, PageReader pages) throws IOException {
        this.column = column;
        this.pages = pages;
        this.type = column.getPrimitiveType().getPrimitiveTypeName();
        this.maxRep = column.getMaxRepetitionLevel();
        this.maxDef = column.getMaxDefinitionLevel();
        DictionaryPage dp = pages.readDictionaryPage();
        this.dictionary = dp == null ? null : dictionary(dp.getEncoding().initDictionary(column, dp));
    }

    /** Moves to the next level (and value, when {@link #def} is the maximum); false at the column chunk's end. */
    boolean next() throws IOException {
        if (at >= 0 && defs(at) == maxDef) valueAt++;
        if (++at < count) return true;
        DataPage page = pages.readPage();
        while (page != null && page.getValueCount() == 0) page = pages.readPage();
        if (page == null) return false;
        if (page instanceof DataPageV1 v1) load(v1);
        else if (page instanceof DataPageV2 v2) load(v2);
        else throw new ParquetRowGroups.Unsupported("page type " + page.getClass().getSimpleName() + " of " + column);
        at = 0;
        valueAt = 0;
        return true;
    }

    int rep() {
        return maxRep == 0 ? 0 : reps[at];
    }

    int def() {
        return defs(at);
    }

    /**
     * Copies the current value (its definition level must be the maximum) and the present values that follow it in the
     * same row and page (repetition level above 0) to {@code dst[off..]}, at most {@code max}; the cursor stays on the
     * last one copied (so {@link #next} moves past it as usual). Returns how many it copied, at least 1: a row's values
     * in one loop instead of a {@link #next} call each. When {@code idDst} is not null and the page is dictionary-encoded
     * ({@link #dictionaryPage}), their dictionary ids go to {@code idDst[off..]} too ({@code dst[off + k]} is
     * {@code dictionary()[idDst[off + k]]}).
     */
    int copyRun(double[] dst, int[] idDst, int off, int max) {
        int va0 = valueAt;
        int c = 1;
        dst[off] = values[valueAt];
        if (maxRep > 0) {
            int[] r = reps;
            int[] d = defs;
            double[] v = values;
            int a = at;
            int va = valueAt;
            while (c < max && a + 1 < count && r[a + 1] != 0 && d[a + 1] == maxDef) {
                a++;
                dst[off + c++] = v[++va];
            }
            at = a;
            valueAt = va;
        }
        if (idDst != null && dictionaryPage) System.arraycopy(ids, va0, idDst, off, c);
        return c;
    }

    /** Whether the current page's values come from the dictionary (then {@link #copyRun} can hand out their ids). */
    boolean dictionaryPage() {
        return dictionaryPage;
    }

    /** The column chunk's dictionary as doubles (one array for the chunk: its identity names it), or null. */
    double[] dictionary() {
        return dictionary;
    }

    private int defs(int i) {
        return maxDef == 0 ? 0 : defs[i];
    }

    private void load(DataPageV1 page) throws IOException {
        int n = page.getValueCount();
        ByteBuffer buf = page.getBytes().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int pos = buf.position();
        if (maxRep > 0) pos = levelsV1(page.getRlEncoding(), buf, pos, n, maxRep, reps = grow(reps, n));
        if (maxDef > 0) pos = levelsV1(page.getDlEncoding(), buf, pos, n, maxDef, defs = grow(defs, n));
        decodeValues(page.getValueEncoding(), buf, pos, buf.limit(), nonNull(n));
        count = n;
    }

    private void load(DataPageV2 page) throws IOException {
        int n = page.getValueCount();
        if (maxRep > 0) {
            ByteBuffer r = page.getRepetitionLevels().toByteBuffer();
            hybrid(r, r.position(), r.limit(), bitWidth(maxRep), n, reps = grow(reps, n));
        }
        if (maxDef > 0) {
            ByteBuffer d = page.getDefinitionLevels().toByteBuffer();
            hybrid(d, d.position(), d.limit(), bitWidth(maxDef), n, defs = grow(defs, n));
        }
        ByteBuffer data = page.getData().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        decodeValues(page.getDataEncoding(), data, data.position(), data.limit(), nonNull(n));
        count = n;
    }

    /** V1 levels: RLE with a 4-byte little-endian length in front; returns the position after them. */
    private int levelsV1(Encoding enc, ByteBuffer buf, int pos, int n, int max, int[] out) {
        if (enc != Encoding.RLE) throw new ParquetRowGroups.Unsupported(enc + " levels in " + column);
        int len = buf.getInt(pos);
        hybrid(buf, pos + 4, pos + 4 + len, bitWidth(max), n, out);
        return pos + 4 + len;
    }

    /** The number of values present (definition level at the maximum) among the page's first n levels. */
    private int nonNull(int n) {
        if (maxDef == 0) return n;
        int k = 0;
        for (int i = 0; i < n; i++) if (defs[i] == maxDef) k++;
        return k;
    }

    /** Decodes {@code n} values of {@code buf[pos, end)} into {@link #values}. */
    private void decodeValues(Encoding enc, ByteBuffer buf, int pos, int end, int n) throws IOException {
        double[] out = values = n > values.length ? new double[Math.max(n, values.length * 2)] : values;
        dictionaryPage = enc.usesDictionary();
        if (enc == Encoding.PLAIN) {
            switch (type) {
                case DOUBLE -> { for (int i = 0; i < n; i++) out[i] = buf.getDouble(pos + 8 * i); }
                case FLOAT -> { for (int i = 0; i < n; i++) out[i] = buf.getFloat(pos + 4 * i); }
                case INT32 -> { for (int i = 0; i < n; i++) out[i] = buf.getInt(pos + 4 * i); }
                case INT64 -> { for (int i = 0; i < n; i++) out[i] = buf.getLong(pos + 8 * i); }
                default -> throw new ParquetRowGroups.Unsupported(type + " values in " + column);
            }
        } else if (enc.usesDictionary()) {
            if (dictionary == null) throw new IOException("dictionary-encoded page without a dictionary page in " + column);
            int[] id = ids = grow(ids, n);
            if (n > 0) hybrid(buf, pos + 1, end, buf.get(pos) & 0xff, n, id);
            for (int i = 0; i < n; i++) {
                int k = id[i];
                if (k < 0 || k >= dictionary.length) throw new IOException("dictionary id " + k + " out of range in " + column);
                out[i] = dictionary[k];
            }
        } else { // DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT, ...: parquet-mr's reader, a call per value
            ValuesReader r = enc.getValuesReader(column, ValuesType.VALUES);
            ByteBuffer slice = buf.duplicate();
            slice.position(pos).limit(end);
            r.initFromPage(n, ByteBufferInputStream.wrap(slice.slice()));
            for (int i = 0; i < n; i++) out[i] = read(r);
        }
    }

    private double read(ValuesReader r) {
        return switch (type) {
            case DOUBLE -> r.readDouble();
            case FLOAT -> r.readFloat();
            case INT32 -> r.readInteger();
            case INT64 -> r.readLong();
            default -> throw new ParquetRowGroups.Unsupported(type + " values in " + column);
        };
    }

    private double[] dictionary(Dictionary d) {
        double[] out = new double[d.getMaxId() + 1];
        for (int k = 0; k < out.length; k++) {
            out[k] = switch (type) {
                case DOUBLE -> d.decodeToDouble(k);
                case FLOAT -> d.decodeToFloat(k);
                case INT32 -> d.decodeToInt(k);
                case INT64 -> d.decodeToLong(k);
                default -> throw new ParquetRowGroups.Unsupported(type + " values in " + column);
            };
        }
        return out;
    }

    /**
     * Parquet's RLE / bit-packing hybrid: runs of {@code (header varint, payload)}; header bit 0 = 0: an RLE run of
     * {@code header >>> 1} copies of one value in {@code ceil(width / 8)} little-endian bytes; 1: {@code header >>> 1}
     * groups of 8 values of {@code width} bits each, packed least significant bit first. Fills {@code out[0, n)}.
     * Width 8 (the ids of a dictionary of 129-256 values, e.g. pixels) unpacks a byte a value; any width that the general
     * bit-field loop takes gives the same ids ({@code ParquetPagesTest} pins them against each other).
     */
    static void hybrid(ByteBuffer buf, int pos, int end, int width, int n, int[] out) {
        int i = 0;
        int bytesPerValue = (width + 7) >>> 3;
        int mask = width == 32 ? -1 : (1 << width) - 1;
        while (i < n) {
            if (pos >= end) throw new IllegalStateException("run-length data ends after " + i + " of " + n + " values");
            int header = 0;
            int shift = 0;
            int b;
            do {
                b = buf.get(pos++) & 0xff;
                header |= (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if ((header & 1) == 0) { // RLE run
                int run = header >>> 1;
                int v = 0;
                for (int k = 0; k < bytesPerValue; k++) v |= (buf.get(pos++) & 0xff) << (8 * k);
                int stop = Math.min(n, i + run);
                java.util.Arrays.fill(out, i, stop, v);
                i = stop;
            } else if (width == 8) { // bit-packed, one byte a value (dictionary ids of up to 256 values): no bit fields
                int stop = Math.min(n, i + (header >>> 1) * 8);
                int bytes = (header >>> 1) * 8;
                int avail = Math.max(0, Math.min(stop - i, Math.min(end, pos + bytes) - pos));
                for (int k = 0; k < avail; k++) out[i + k] = buf.get(pos + k) & 0xff;
                java.util.Arrays.fill(out, i + avail, stop, 0); // past the data's end: zeros, as the general loop gives
                i = stop;
                pos += bytes;
            } else { // bit-packed groups of 8
                int values = (header >>> 1) * 8;
                long acc = 0;
                int bits = 0;
                int stop = Math.min(n, i + values);
                int bytes = (values * width + 7) >>> 3;
                int last = Math.min(end, pos + bytes);
                int p = pos;
                for (; i < stop; i++) {
                    while (bits < width) {
                        acc |= p < last ? (long) (buf.get(p++) & 0xff) << bits : 0L;
                        bits += 8;
                    }
                    out[i] = (int) acc & mask;
                    acc >>>= width;
                    bits -= width;
                }
                pos += bytes;
            }
        }
    }

    /** Bits of a level up to {@code max} (Parquet: {@code 32 - numberOfLeadingZeros(max)}). */
    static int bitWidth(int max) {
        return 32 - Integer.numberOfLeadingZeros(max);
    }

    private static int[] grow(int[] a, int n) {
        return n > a.length ? new int[Math.max(n, a.length * 2)] : a;
    }
}
