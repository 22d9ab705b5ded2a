package org.descent.job.model;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A {@code double[]} as text: raw little-endian IEEE-754 doubles (bit-exact), deflated, base64. Long runs of
 * one value (the zero offsets and unit scales of a wide sparse model's scaler) compress about 1000:1.
 */
final class CompactDoubles {
    private CompactDoubles() {}

    static String encode(double[] values) {
        ByteBuffer raw = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        raw.asDoubleBuffer().put(values);
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        d.setInput(raw.array());
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** Inverse of {@link #encode}; exactly {@code n} values or a {@link ModelFormatException} naming {@code where}. */
    static double[] decode(String text, int n, String where) {
        byte[] raw = new byte[Math.multiplyExact(n, 8)];
        Inflater inf = new Inflater();
        try {
            inf.setInput(Base64.getDecoder().decode(text));
            int got = 0;
            while (got < raw.length && !inf.finished()) {
                int k = inf.inflate(raw, got, raw.length - got);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                got += k;
            }
            if (got != raw.length || !inf.finished()) {
                throw new ModelFormatException(where + " holds " + (inf.finished() ? got / 8 : "more than " + n)
                        + " values, expected numFeatures (" + n + ")");
            }
        } catch (IllegalArgumentException | DataFormatException e) {
            throw new ModelFormatException(where + " is not valid deflate-base64 data: " + e.getMessage());
        } finally {
            inf.end();
        }
        double[] out = new double[n];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }
}
