package org.descent.job.exchange;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.descent.math.optim.MiniBatchUpdate;

/**
 * Everything the driver learns about one training step, whichever engine ran it: the one record from the step (on
 * an executor or the driver) through the progress stream and the segment result to the step sink and listeners.
 *
 * <p>Step: {@code rows} used over all partitions, their summed loss {@code lossSum}; the update's {@code loss}
 * ({@code lossSum / rows} plus the penalty), pre-clip {@code gradNorm}, {@code learningRate} and {@code status}.
 *
 * <p>Time, in nanoseconds:
 * <ul>
 *   <li>{@code wallNanos}: the step's compute + exchange time. Broadcast-collect: driver wall time from before the
 *       parameter broadcast to after the driver-side sum. Allreduce: rank 0's compute + exchange time, but at least
 *       the slowest task's compute (another task can start a step before rank 0);</li>
 *   <li>{@code computeMaxNanos} / {@code computeSumNanos}: max and sum over the step's tasks of the time spent
 *       gathering the slice and computing its gradient (the max is the step's critical path);</li>
 *   <li>{@code fetchMaxNanos}: max over tasks of the time to obtain the broadcast parameters (broadcast-collect);</li>
 *   <li>{@code driverSumNanos}: driver time adding the partials in partition order (broadcast-collect);</li>
 *   <li>{@code updateNanos}: the optimizer step after the sum (driver for broadcast-collect, in every task for
 *       allreduce); not part of {@code wallNanos}.</li>
 * </ul>
 * Invariants: {@code 0 <= computeMaxNanos <= computeSumNanos <= tasks * computeMaxNanos} and
 * {@code computeMaxNanos + driverSumNanos <= wallNanos}.
 *
 * <p>Encoding ({@link #write}): 4 doubles, the status ordinal, then rows, tasks and the six times, big-endian.
 */
public record StepFigures(long rows, double lossSum, double loss, double gradNorm, double learningRate,
                          MiniBatchUpdate.Status status, long wallNanos, long computeMaxNanos, long computeSumNanos,
                          long fetchMaxNanos, long driverSumNanos, int tasks, long updateNanos) {

    /** A summed step before its update: rows, loss sum and exchange times; the update's figures are unset (NaN). */
    public static StepFigures summed(long rows, double lossSum, long wallNanos, long computeMaxNanos,
                                     long computeSumNanos, long fetchMaxNanos, long driverSumNanos, int tasks) {
        return new StepFigures(rows, lossSum, Double.NaN, Double.NaN, Double.NaN, MiniBatchUpdate.Status.OK,
                wallNanos, computeMaxNanos, computeSumNanos, fetchMaxNanos, driverSumNanos, tasks, 0);
    }

    /** These figures with the update's outcome and time. */
    public StepFigures updated(MiniBatchUpdate.Outcome o, long updateNanos) {
        return new StepFigures(rows, lossSum, o.loss(), o.gradNorm(), o.learningRate(), o.status(), wallNanos,
                computeMaxNanos, computeSumNanos, fetchMaxNanos, driverSumNanos, tasks, updateNanos);
    }

    /** The update's outcome. */
    public MiniBatchUpdate.Outcome outcome() {
        return new MiniBatchUpdate.Outcome(loss, gradNorm, learningRate, status);
    }

    public boolean ok() {
        return status == MiniBatchUpdate.Status.OK;
    }

    /** Exchange and scheduling overhead: step wall time minus the slowest task's compute. */
    public long exchangeNanos() {
        return wallNanos - computeMaxNanos;
    }

    public void write(DataOutput out) throws IOException {
        out.writeDouble(lossSum);
        out.writeDouble(loss);
        out.writeDouble(gradNorm);
        out.writeDouble(learningRate);
        out.writeByte(status.ordinal());
        out.writeLong(rows);
        out.writeInt(tasks);
        out.writeLong(wallNanos);
        out.writeLong(computeMaxNanos);
        out.writeLong(computeSumNanos);
        out.writeLong(fetchMaxNanos);
        out.writeLong(driverSumNanos);
        out.writeLong(updateNanos);
    }

    public static StepFigures read(DataInput in) throws IOException {
        double lossSum = in.readDouble();
        double loss = in.readDouble();
        double norm = in.readDouble();
        double lr = in.readDouble();
        int status = in.readByte();
        if (status < 0 || status >= MiniBatchUpdate.Status.values().length) {
            throw new IOException("step figures: status " + status + " is not a MiniBatchUpdate.Status");
        }
        long rows = in.readLong();
        int tasks = in.readInt();
        return new StepFigures(rows, lossSum, loss, norm, lr, MiniBatchUpdate.Status.values()[status], in.readLong(),
                in.readLong(), in.readLong(), in.readLong(), in.readLong(), tasks, in.readLong());
    }

    /** A list of figures as bytes (a segment's steps in a task result; Kryo cannot serialise records). */
    static byte[] encode(List<StepFigures> figures) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 96 * figures.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(figures.size());
            for (StepFigures f : figures) f.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static List<StepFigures> decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int n = in.readInt();
            List<StepFigures> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(read(in));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
