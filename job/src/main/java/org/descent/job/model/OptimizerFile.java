package org.descent.job.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * {@code optimizer.bin} (optional in a model directory): the optimizer state at the end of training,
 * for warm starts ({@code train --init-from MODEL --init-optimizer}).
 * <pre>
 * 8 bytes  magic "DSCNTOPT"
 * int32    format version (1)
 * int32    length k
 * k bytes  Optimizer.saveState() (its own format: org.descent.math.optim.OptimizerState)
 * int32    CRC32 of all preceding bytes
 * </pre>
 * Big-endian; total {@code 20 + k} bytes.
 */
public final class OptimizerFile {
    static final byte[] MAGIC = "DSCNTOPT".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    private OptimizerFile() {}

    public static byte[] encode(byte[] state) {
        ByteBuffer b = ByteBuffer.allocate(20 + state.length);
        b.put(MAGIC).putInt(VERSION).putInt(state.length).put(state);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, 16 + state.length);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    public static byte[] decode(byte[] data, String file) {
        if (data.length < 20 || !Arrays.equals(Arrays.copyOf(data, 8), MAGIC)) {
            throw new ModelFormatException(file + ": not a descent optimizer file (magic DSCNTOPT, at least 20 bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(data, 8, data.length - 8);
        int version = b.getInt();
        if (version != VERSION) {
            throw new ModelFormatException(file + ": optimizer file version " + version + ", this build reads " + VERSION);
        }
        int k = b.getInt();
        if (k < 0 || data.length != 20L + k) {
            throw new ModelFormatException(file + ": header says " + k + " state bytes but the file has " + data.length);
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, 16 + k);
        if (ByteBuffer.wrap(data, 16 + k, 4).getInt() != (int) crc.getValue()) {
            throw new ModelFormatException(file + ": CRC32 mismatch: the file is corrupted");
        }
        return Arrays.copyOfRange(data, 16, 16 + k);
    }
}
