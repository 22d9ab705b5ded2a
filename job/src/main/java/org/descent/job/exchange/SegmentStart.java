package org.descent.job.exchange;

import java.io.Serializable;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.descent.math.nn.ParameterLayout;
import org.descent.math.optim.Optimizer;

/**
 * The start state of an allreduce segment's tasks, the driver's parameters and optimizer ({@link SegmentRun}): a
 * Spark broadcast of {@code {DoubleBytes of the parameters, Optimizer.saveState()}}, or, when the tasks run in the
 * driver's JVM (local mode), the driver's arrays and optimizer themselves, which the tasks look up here by key and
 * copy from. Why (issue 12): a broadcast serialises, compresses and stores the whole state in the block manager before
 * the job starts, 0.2-0.7 s for the 2M-parameter softmax with Adagrad state of the text benchmark (32 MB), of an
 * epoch of 0.2-0.4 s; and even without the broadcast, encoding the state on the driver and decoding it in every rank
 * cost 0.5-1 s of epoch 1 there (loaded machine). In one JVM nothing needs to move: a rank copies the driver's arrays
 * ({@code System.arraycopy}, {@link Optimizer#init(ParameterLayout, Optimizer)}), the bits a decode gives.
 *
 * <p>Why the driver's live arrays need no snapshot: the driver changes them only when it takes an epoch end from
 * rank 0 ({@link EpochSpan}), and no epoch end exists before every rank has read the start (each rank reads it
 * before its first allreduce, which waits for all ranks); a re-run after an epoch end gets a new start
 * ({@link AllReduceEngine}).
 *
 * <p>Call order: {@link #of} on the driver before the job, {@link #paramsInto} and {@link #optimizerInto} in the
 * tasks (any number of times, also in a re-run from the same state), or for ranks that share one state
 * {@link #prepareCopy} when a task starts and {@link #takeCopy} (or {@link #dropCopy}) once the ranks have decided;
 * {@link #destroy} on the driver once no job will read it.
 */
final class SegmentStart implements Serializable {
    private static final long serialVersionUID = 2L;
    /** The start states of the segments running now in this JVM (local mode), by key. */
    private static final ConcurrentHashMap<String, Live> IN_JVM = new ConcurrentHashMap<>();

    /**
     * Copies of in-JVM start states for ranks that share their state ({@link SharedState}), made ahead on a
     * background thread ({@link #prepareCopy}), by key; each taken at most once ({@link #takeCopy}).
     */
    private static final ConcurrentHashMap<String, FutureTask<Copy>> PREPARED = new ConcurrentHashMap<>();

    /** The driver's parameters and optimizer (read only). */
    private record Live(double[] params, Optimizer optimizer) {}

    /**
     * A private copy of the start state: the parameters, the optimizer's state arrays (in {@link
     * Optimizer#stateArrays} order) and whether every parameter is finite.
     */
    record Copy(double[] params, double[][] state, boolean finite) {}

    private final Broadcast<byte[][]> broadcast;
    private final String key;

    private SegmentStart(Broadcast<byte[][]> broadcast, String key) {
        this.broadcast = broadcast;
        this.key = key;
    }

    /** The state for the next segment's tasks: the driver's own in local mode, else an encoded broadcast. */
    static SegmentStart of(JavaSparkContext jsc, double[] params, Optimizer optimizer) {
        if (jsc.sc().isLocal()) {
            String key = "descent-start-" + UUID.randomUUID();
            IN_JVM.put(key, new Live(params, optimizer));
            return new SegmentStart(null, key);
        }
        return broadcast(jsc, params, optimizer);
    }

    /** The cluster form of {@link #of}: the state encoded and broadcast (package-private: tests use it in local mode). */
    static SegmentStart broadcast(JavaSparkContext jsc, double[] params, Optimizer optimizer) {
        return new SegmentStart(jsc.broadcast(new byte[][] {DoubleBytes.encode(params), optimizer.saveState()}), null);
    }

    /** Copies the start parameters into {@code dst} (the model's length). */
    void paramsInto(double[] dst) {
        if (broadcast != null) {
            DoubleBytes.decode(broadcast.value()[0], dst);
            return;
        }
        double[] src = live().params();
        if (src.length != dst.length) {
            throw new IllegalArgumentException("allreduce: the segment's start state " + key + " has " + src.length
                    + " parameters, the rank's model " + dst.length);
        }
        System.arraycopy(src, 0, dst, 0, dst.length);
    }

    /** True when the state is the driver's own arrays and optimizer in this JVM (local mode), not a broadcast. */
    boolean inJvm() {
        return broadcast == null && IN_JVM.containsKey(key);
    }

    /** The driver's optimizer, to be read only (an in-JVM state, {@link #inJvm}). */
    Optimizer liveOptimizer() {
        return live().optimizer();
    }

    /** {@code opt.init(layout)} at the start optimizer state: a copy of the driver's, bit for bit. */
    void optimizerInto(Optimizer opt, ParameterLayout layout) {
        if (broadcast != null) opt.init(layout, broadcast.value()[1]);
        else opt.init(layout, live().optimizer());
    }

    private Live live() {
        Live state = IN_JVM.get(key);
        if (state == null) {
            throw new IllegalStateException("allreduce: the segment's start state " + key + " is not in this JVM (a "
                    + "local-mode state read by a task in another JVM, or read after the driver released it)");
        }
        return state;
    }

    /**
     * Starts copying an in-JVM start state on a background thread for the ranks' {@link SharedState}, once per state
     * (later calls do nothing; so does a broadcast state). Why (issue 12): a segment's first rank used to allocate
     * and fill the copy (32 MB for the text benchmark's softmax with Adagrad) and check it for non-finite values
     * between the mesh's connect and the first step, 40-45 ms of epoch 1 on the critical path; a rank calls this
     * when its task starts, so the copy overlaps the launch of the other tasks and the rendezvous.
     */
    void prepareCopy() {
        if (broadcast != null || !IN_JVM.containsKey(key)) return;
        PREPARED.computeIfAbsent(key, k -> {
            FutureTask<Copy> copy = new FutureTask<>(this::copy);
            Thread th = new Thread(copy, "descent-start-copy");
            th.setDaemon(true);
            th.start();
            return copy;
        });
        if (!IN_JVM.containsKey(key)) dropCopy(); // destroyed meanwhile: leave no copy behind in the static map
    }

    /** Whether a copy {@link #prepareCopy} made waits to be taken (or dropped). */
    boolean copyPrepared() {
        return key != null && PREPARED.containsKey(key);
    }

    /** Drops a copy {@link #prepareCopy} made that no rank will take (the ranks decided not to share). */
    void dropCopy() {
        if (key == null) return; // a broadcast state: nothing is ever prepared for it
        FutureTask<Copy> prepared = PREPARED.remove(key);
        if (prepared != null) prepared.cancel(false);
    }

    /**
     * A private copy of the in-JVM start state: the one {@link #prepareCopy} made (waiting for it), or, when there is
     * none or an earlier caller took it (a re-run: the taker changes its copy), a fresh one. The state's arrays
     * do not change while a segment can read it (see the class comment), so a prepared copy is the state's bits.
     */
    Copy takeCopy() throws java.io.IOException {
        FutureTask<Copy> prepared = PREPARED.remove(key);
        if (prepared == null) return copy();
        try {
            return prepared.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("allreduce: interrupted while copying the start state");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("allreduce: copying the start state failed", e.getCause());
        }
    }

    /** A copy of the in-JVM state ({@code clone}: no zeroing pass first) and its finite check. */
    private Copy copy() {
        Live live = live();
        double[] params = live.params().clone();
        double[][] source = live.optimizer().stateArrays();
        double[][] state = new double[source.length][];
        for (int a = 0; a < source.length; a++) state[a] = source[a].clone();
        return new Copy(params, state, org.descent.math.optim.RowSparseUpdate.finiteRange(params, 0, params.length));
    }

    /** Releases the state (the broadcast's blocks, or the in-JVM reference and any copy not taken). */
    void destroy() {
        if (broadcast != null) {
            broadcast.destroy();
        } else {
            IN_JVM.remove(key);
            dropCopy();
        }
    }
}
