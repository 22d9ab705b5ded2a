package org.descent.job.exchange;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.optim.Optimizer;

/**
 * The state after the last step of {@code epoch}, streamed by rank 0 of a segment that runs on into the next epoch
 * ({@link SegmentTask}): the parameters and {@code Optimizer.saveState()}. The driver validates, reports and
 * checkpoints from it while the segment runs on ({@link EpochSpan}).
 *
 * <p>Two ways to the driver, the same bits:
 * <ul>
 *   <li>through rank 0's progress socket ({@link Rendezvous}): int -1, int epoch, then the {@link DoubleBytes} of the
 *       parameters and the optimizer state, each as int length + bytes; {@code params} holds the bytes;</li>
 *   <li>when the driver's {@link Rendezvous} lives in rank 0's JVM (local mode): rank 0 leaves a copy of its parameter
 *       array and the optimizer state here ({@link #handOver}) and the socket carries only int -2, int epoch, which
 *       the driver's reader turns back into the record ({@link #read}); {@code values} holds the copy and
 *       {@code optimizerCopy} a detached copy of the optimizer ({@link Optimizer#init(ParameterLayout, Optimizer)}),
 *       which the driver's optimizer takes over without a copy ({@link Optimizer#restoreFrom}): no encoding on rank 0,
 *       no decoding on the driver (70-190 ms of the two cores per epoch end, loaded machine).
 *       Why (issue 12): the socket path encodes, sends, reads and decodes the whole state on the two cores the ranks
 *       run on while every rank waits for rank 0 in the next epoch's first exchange, 60-300 ms per epoch (loaded
 *       machine) for the 2M-parameter text softmax with Adagrad (32 MB), of epochs of 0.3-1 s.</li>
 * </ul>
 */
record EpochEndRecord(int segment, int epoch, byte[] params, double[] values, byte[] optimizerState,
                      Optimizer optimizerCopy) implements Rendezvous.Progress {
    /** Marks a record of the stream as an epoch end rather than a step ({@code StepRecord}'s k is never negative). */
    static final int EPOCH_END = -1;
    /** As {@link #EPOCH_END}, the state handed over in memory ({@link #handOver}). */
    static final int EPOCH_END_IN_JVM = -2;

    /** The tokens of the {@link Rendezvous} instances open in this JVM: their tasks may hand state over in memory. */
    private static final java.util.Set<Long> LOCAL_DRIVERS = ConcurrentHashMap.newKeySet();
    /** States handed over and not yet taken, by {@link #key}. */
    private static final ConcurrentHashMap<String, EpochEndRecord> HANDED = new ConcurrentHashMap<>();

    /** The epoch's optimizer state into {@code dst} (once: an in-memory copy is taken over, not copied again). */
    void optimizerInto(Optimizer dst) {
        if (optimizerCopy != null) dst.restoreFrom(optimizerCopy);
        else dst.restoreState(optimizerState);
    }

    /** The epoch's parameters into {@code dst} (its length must be the model's). */
    void paramsInto(double[] dst) {
        if (values == null) {
            DoubleBytes.decode(params, dst);
            return;
        }
        if (values.length != dst.length) {
            throw new IllegalArgumentException("epoch end: " + values.length + " parameters for a model of " + dst.length);
        }
        System.arraycopy(values, 0, dst, 0, dst.length);
    }

    /**
     * Rank 0 (every epoch end of a segment but its last): sends the state after {@code epoch} to the driver, in memory
     * when the driver of {@code token} runs in this JVM (copies of the parameters and, through {@code copier}, of the
     * optimizer), else through {@code out}; flushes. An I/O error is the task's failure (the driver needs every epoch
     * end). {@code copier}: a detached copy of an optimizer (a new one of the same rule, initialised from it).
     */
    static void send(DataOutputStream out, long token, int segment, int epoch, double[] params, Optimizer optimizer,
                     java.util.function.UnaryOperator<Optimizer> copier) throws IOException {
        if (LOCAL_DRIVERS.contains(token)) {
            // put before the marker is written: the driver's reader takes it after reading the marker
            HANDED.put(key(token, segment, epoch), new EpochEndRecord(segment, epoch, null, params.clone(), null,
                    copier.apply(optimizer)));
            out.writeInt(EPOCH_END_IN_JVM);
            out.writeInt(epoch);
            out.flush();
            return;
        }
        byte[] p = DoubleBytes.encode(params);
        byte[] s = optimizer.saveState();
        out.writeInt(EPOCH_END);
        out.writeInt(epoch);
        out.writeInt(p.length);
        out.write(p);
        out.writeInt(s.length);
        out.write(s);
        out.flush();
    }

    /** Driver: the rest of a record whose marker {@code marker} ({@link #EPOCH_END} or {@link #EPOCH_END_IN_JVM}) was read. */
    static EpochEndRecord read(long token, int segment, int marker, DataInputStream in) throws IOException {
        int epoch = in.readInt();
        if (marker == EPOCH_END_IN_JVM) {
            EpochEndRecord r = HANDED.remove(key(token, segment, epoch));
            if (r == null) {
                throw new IOException("allreduce segment " + segment + ": the end state of epoch " + (epoch + 1)
                        + " was announced in memory but is not in this JVM");
            }
            return r;
        }
        byte[] params = new byte[in.readInt()];
        in.readFully(params);
        byte[] state = new byte[in.readInt()];
        in.readFully(state);
        return new EpochEndRecord(segment, epoch, params, null, state, null);
    }

    /** A driver's rendezvous opened in this JVM: its tasks here hand epoch ends over in memory. */
    static void driverOpened(long token) {
        LOCAL_DRIVERS.add(token);
    }

    /** The driver's rendezvous closed: forget it and any state handed over and not taken (a failed segment's). */
    static void driverClosed(long token) {
        LOCAL_DRIVERS.remove(token);
        HANDED.keySet().removeIf(k -> k.startsWith(token + "/"));
    }

    private static String key(long token, int segment, int epoch) {
        return token + "/" + segment + "/" + epoch;
    }
}
