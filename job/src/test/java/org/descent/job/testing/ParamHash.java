package org.descent.job.testing;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The pinned fingerprint of a parameter vector in the golden tests: the first 16 hex digits of SHA-256 over its raw bits. */
public final class ParamHash {
    private ParamHash() {}

    public static String of(double[] p) {
        ByteBuffer b = ByteBuffer.allocate(8 * p.length);
        for (double v : p) b.putLong(Double.doubleToRawLongBits(v));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array())).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
