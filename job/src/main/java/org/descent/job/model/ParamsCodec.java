package org.descent.job.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * {@code params.bin}: the flat parameter buffer (layout: {@link org.descent.math.nn.ParameterLayout}).
 *
 * <pre>
 * offset        size      content
 * 0             8         magic, ASCII "DSCNTPRM"
 * 8             4         int32 format version (1)
 * 12            4         int32 count n
 * 16            8n        n IEEE-754 doubles
 * 16 + 8n       4         CRC32 of bytes [0, 16 + 8n), as an unsigned 32-bit value
 * </pre>
 * All integers and doubles are big-endian. Total size {@code 20 + 8n} bytes.
 */
public final class ParamsCodec {
    public static final byte[] MAGIC = "DSCNTPRM".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    private static final int HEADER = 16;

    private ParamsCodec() {}

    public static byte[] encode(double[] params) {
        ByteBuffer b = ByteBuffer.allocate(Math.addExact(HEADER + 4, Math.multiplyExact(8, params.length)));
        b.put(MAGIC).putInt(VERSION).putInt(params.length);
        b.asDoubleBuffer().put(params); // big-endian, as DataOutputStream.writeDouble
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, HEADER + 8 * params.length);
        b.putInt(HEADER + 8 * params.length, (int) crc.getValue());
        return b.array();
    }

    /** Decodes and checks magic, version, size and CRC; {@code file} only names the source in errors. */
    public static double[] decode(byte[] data, String file) {
        if (data.length < HEADER + 4) {
            throw new ModelFormatException(file + ": truncated (" + data.length + " bytes, a params file has at least 20)");
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        byte[] magic = new byte[8];
        buf.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new ModelFormatException(file + ": not a descent params file (magic is not DSCNTPRM)");
        }
        int version = buf.getInt();
        if (version != VERSION) {
            throw new ModelFormatException(file + ": params format version " + version + ", this build reads " + VERSION);
        }
        int count = buf.getInt();
        long expected = HEADER + 8L * count + 4;
        if (count < 0 || data.length != expected) {
            throw new ModelFormatException(file + ": header says " + count + " parameters (" + expected
                    + " bytes) but the file has " + data.length + " bytes");
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, HEADER + 8 * count);
        int stored = ByteBuffer.wrap(data, HEADER + 8 * count, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new ModelFormatException(file + ": CRC32 mismatch (stored " + Integer.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + "): the file is corrupted");
        }
        double[] params = new double[count];
        buf.asDoubleBuffer().get(params);
        return params;
    }
}
