package org.descent.math.optim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Byte format shared by every {@link Optimizer}'s {@code saveState()} / {@code restoreState()}.
 * Written with {@link DataOutputStream} (big-endian, doubles as raw IEEE-754 bits, so a round trip is
 * bit-identical):
 *
 * <pre>
 * int    magic   0x44534F50 ("DSOP")
 * int    version 1
 * UTF    optimizer name, e.g. "adam"
 * int    h, then h doubles: hyper-parameters in the optimizer's documented order
 * long   number of steps taken so far
 * int    a, then for each of the a state arrays: int length, length doubles
 * </pre>
 *
 * <p>{@link #read} checks the tag, the name, every hyper-parameter (bitwise) and every array length
 * against what the restoring optimizer expects, and throws {@link IllegalArgumentException} naming
 * the first mismatch, so the bytes of another optimizer type, configuration or model size are refused
 * before anything is overwritten.
 */
final class OptimizerState {
    static final int MAGIC = 0x44534F50;
    static final int VERSION = 1;

    private OptimizerState() {}

    static byte[] write(String name, double[] hyper, long steps, double[]... arrays) {
        // sized exactly, so the buffer itself is the result: no second copy of a state of many MB (issue 12: the
        // allreduce ranks save it at every epoch end); the size is only a hint, a wrong one costs the copy
        long size = 4 + 4 + 2 + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 4 + 8L * hyper.length
                + 8 + 4;
        for (double[] a : arrays) size += 4 + 8L * a.length;
        Exact bytes = new Exact((int) Math.min(size, Integer.MAX_VALUE - 64));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(name);
            out.writeInt(hyper.length);
            for (double h : hyper) {
                out.writeDouble(h);
            }
            out.writeLong(steps);
            out.writeInt(arrays.length);
            for (double[] a : arrays) {
                out.writeInt(a.length);
                org.descent.math.BigEndianDoubles.write(out, a, 0, a.length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.bytes();
    }

    /** A byte stream whose buffer is handed out when the writes filled it exactly. */
    private static final class Exact extends ByteArrayOutputStream {
        Exact(int size) {
            super(size);
        }

        byte[] bytes() {
            return count == buf.length ? buf : toByteArray();
        }
    }

    /** Decoded state; arrays are fresh copies the caller may adopt. */
    record Decoded(long steps, double[][] arrays) {}

    /**
     * Parses and validates {@code state}. {@code hyperNames} names each expected hyper-parameter for
     * the error message; {@code arrayLengths} is the expected length of each state array.
     */
    static Decoded read(byte[] state, String name, String[] hyperNames, double[] hyper, int... arrayLengths) {
        if (state == null) {
            throw new IllegalArgumentException(name + ": optimizer state is null");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IllegalArgumentException(name + ": not optimizer state (format tag 0x"
                        + Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException(name + ": unsupported optimizer state version " + version
                        + " (this build reads version " + VERSION + ")");
            }
            String stored = in.readUTF();
            if (!stored.equals(name)) {
                throw new IllegalArgumentException("optimizer state was saved by '" + stored
                        + "' and cannot be restored into '" + name + "'");
            }
            int h = in.readInt();
            if (h != hyper.length) {
                throw new IllegalArgumentException(name + ": state has " + h + " hyper-parameters, expected "
                        + hyper.length);
            }
            for (int i = 0; i < h; i++) {
                double v = in.readDouble();
                if (Double.doubleToLongBits(v) != Double.doubleToLongBits(hyper[i])) {
                    throw new IllegalArgumentException(name + ": state was saved with " + hyperNames[i] + "=" + v
                            + " but this optimizer has " + hyperNames[i] + "=" + hyper[i]);
                }
            }
            long steps = in.readLong();
            if (steps < 0) {
                throw new IllegalArgumentException(name + ": corrupt optimizer state (step count " + steps + ")");
            }
            int a = in.readInt();
            if (a != arrayLengths.length) {
                throw new IllegalArgumentException(name + ": state has " + a + " arrays, expected "
                        + arrayLengths.length);
            }
            double[][] arrays = new double[a][];
            for (int k = 0; k < a; k++) {
                int len = in.readInt();
                if (len != arrayLengths[k]) {
                    throw new IllegalArgumentException(name + ": state array " + k + " has " + len
                            + " entries but the model has " + arrayLengths[k] + " parameters");
                }
                double[] arr = new double[len];
                org.descent.math.BigEndianDoubles.read(in, arr, 0, len);
                arrays[k] = arr;
            }
            if (in.read() != -1) {
                throw new IllegalArgumentException(name + ": trailing bytes after optimizer state");
            }
            return new Decoded(steps, arrays);
        } catch (java.io.EOFException e) {
            throw new IllegalArgumentException(name + ": optimizer state is truncated (" + state.length + " bytes)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hyperString(String[] names, double[] values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if (i > 0) b.append(", ");
            b.append(names[i]).append('=').append(values[i]);
        }
        return b.toString();
    }

    static double[] copy(double[] a) {
        return Arrays.copyOf(a, a.length);
    }
}
