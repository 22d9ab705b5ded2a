package org.descent.job.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.Partition;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import org.descent.math.scale.Scaler;
import org.descent.math.sparse.CsrMatrix;
import org.descent.math.sparse.FloatCsrMatrix;

import scala.Option;

/**
 * Packs the parsed rows ({@link ParsedChunk}s, cached by the one parse pass) into exactly one {@link RowBlock} per
 * partition: task p gets the rows whose id the partitioner sends to p (and the {@link Placement}'s holdout side), in id
 * order, and writes them straight into the block's final arrays (sized by a counting pass, so nothing is grown or
 * copied): dense row-major values in float64, or already scaled and/or rounded to float32 ({@link Finish}, the same
 * arithmetic as {@link RowBlock#stored}), or sparse CSR of the non-zeros. An empty partition yields an empty block.
 *
 * <p>How task p gets its rows ({@link Route}, {@value #ROUTE_KEY}):
 * <ul>
 *   <li><b>direct</b> (the default in local mode): task p iterates every chunk (a narrow dependency on all of them: in
 *       local mode the cached objects themselves) and keeps its rows. No copy, no disk; but on a cluster every task
 *       would fetch every chunk through the block manager, and a spilled chunk would be read back once per task.</li>
 *   <li><b>shuffle</b> (the default on a cluster): one map task per chunk splits it into one compact chunk per target
 *       partition (rows with their ids, values in the chunk's float32 or float64 pages), and Spark's shuffle brings
 *       each partition its pieces: every row is read, written and fetched once, and a pack task holds only its own
 *       rows. The shuffle is made once per placement and shared by every packing of it (scaling statistics, then
 *       the cached form).</li>
 * </ul>
 * The result depends only on the rows, the ids, the placement and the layout, never on the route: the blocks are the
 * ones the former shuffle of {@code (id, row)} pairs sorted by id built, bit for bit.
 */
final class BlockPacker {
    private BlockPacker() {}

    /** The block representation: {@code sparse} CSR with float32 values when {@code floatValues}, else dense. */
    record Layout(int numFeatures, boolean sparse, boolean floatValues) implements Serializable {}

    /** Which rows go where: {@code partitioner} over ids; with a holdout fraction, only one side of it. */
    record Placement(Partitioner partitioner, long seed, double holdout, boolean holdoutSide) implements Serializable {
        static Placement all(Partitioner p) {
            return new Placement(p, 0L, 0.0, false);
        }

        boolean keeps(long id, int p) {
            return target(id) == p;
        }

        /** The partition of row {@code id}, or -1 when it is on the other side of the holdout. */
        int target(long id) {
            if (holdout > 0 && RowAssignment.inHoldout(seed, id, holdout) != holdoutSide) return -1;
            return partitioner.getPartition(id);
        }
    }

    /** The Spark setting that picks the {@link Route}: {@code auto} (default), {@code direct} or {@code shuffle}. */
    static final String ROUTE_KEY = "spark.descent.data.pack";

    /** How pack tasks get their rows (see the class comment). */
    enum Route {
        DIRECT, SHUFFLE;

        /**
         * {@value #ROUTE_KEY} from the calling thread's local properties, else the SparkContext's conf: {@code auto}
         * is direct in local mode (one JVM holds every chunk) and shuffle on a cluster.
         */
        static Route of(org.apache.spark.api.java.JavaSparkContext jsc) {
            String v = jsc.getLocalProperty(ROUTE_KEY);
            if (v == null) v = jsc.getConf().get(ROUTE_KEY, "auto");
            switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "auto": return jsc.isLocal() ? DIRECT : SHUFFLE;
                case "direct": return DIRECT;
                case "shuffle": return SHUFFLE;
                default: throw new IllegalArgumentException(ROUTE_KEY + " = " + v
                        + " is not a pack route; use auto, direct or shuffle");
            }
        }
    }

    /**
     * The parsed rows of one placement, routed to the pack tasks ({@link Route}); made once per placement on the
     * driver, then {@link #pack} / {@link #packScoring} as often as needed (a shuffle's map output is reused).
     */
    static final class Rows {
        private final JavaRDD<ParsedChunk> perPartition;
        private final boolean routed;
        private final HashMap<String, long[]> plan;
        private final String path;
        private final Placement placement;

        Rows(JavaRDD<ParsedChunk> chunks, HashMap<String, long[]> plan, String path, Placement placement) {
            this.plan = plan;
            this.path = path;
            this.placement = placement;
            int partitions = placement.partitioner().numPartitions();
            this.routed = Route.of(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(chunks.context()))
                    == Route.SHUFFLE;
            this.perPartition = routed
                    ? chunks.flatMapToPair(c -> split(c, plan, path, placement, partitions))
                            .partitionBy(new org.apache.spark.HashPartitioner(partitions)).values() // key p -> partition p
                    : everyChunk(chunks, partitions);
        }

        /** Training blocks (row ids only). */
        JavaRDD<RowBlock> pack(Layout layout, Finish finish) {
            HashMap<String, long[]> plan = this.plan;
            String path = this.path;
            Placement placement = this.placement;
            boolean routed = this.routed;
            return perPartition.mapPartitionsWithIndex((p, it) -> List.of(
                    build(p, placed(it, routed, plan, path), placement, layout, finish, false).block()).iterator(), false);
        }

        /** Scoring blocks: with the rows' source ids (the id column, else the row id as text). */
        JavaRDD<ScoringBlock> packScoring(Layout layout) {
            HashMap<String, long[]> plan = this.plan;
            String path = this.path;
            Placement placement = this.placement;
            boolean routed = this.routed;
            return perPartition.mapPartitionsWithIndex((p, it) -> {
                Built b = build(p, placed(it, routed, plan, path), placement, layout, Finish.NONE, true);
                return List.of(new ScoringBlock(b.block(), b.sourceIds())).iterator();
            }, false);
        }
    }

    /** Chunk c cut into one trimmed chunk per target partition (rows with their ids), keyed by the partition. */
    private static Iterator<scala.Tuple2<Integer, ParsedChunk>> split(ParsedChunk c, HashMap<String, long[]> plan,
                                                                     String path, Placement placement, int partitions) {
        long firstId = firstId(c, plan, path);
        ParsedChunk[] parts = new ParsedChunk[partitions];
        for (int i = 0; i < c.rows; i++) {
            long id = firstId + i;
            int t = placement.target(id);
            if (t < 0) continue;
            if (parts[t] == null) parts[t] = new ParsedChunk(null);
            parts[t].addRowOf(c, i, id);
        }
        List<scala.Tuple2<Integer, ParsedChunk>> out = new ArrayList<>();
        for (int t = 0; t < partitions; t++) if (parts[t] != null) out.add(new scala.Tuple2<>(t, parts[t].trimmed()));
        return out.iterator();
    }

    /** Id of the chunk's first row, checked against the plan the validation pass made. */
    private static long firstId(ParsedChunk c, HashMap<String, long[]> plan, String path) {
        long[] offsets = plan.get(Scan.key(c.stats.file, c.stats.runStart));
        if (offsets == null || offsets[1] != c.rows) throw changed(path, c.stats.file);
        return offsets[0];
    }

    /** A pack task's chunks in id order: whole chunks (direct) or split-off ones carrying their row ids (routed). */
    private static List<Placed> placed(Iterator<ParsedChunk> it, boolean routed, HashMap<String, long[]> plan,
                                       String path) {
        List<Placed> chunks = new ArrayList<>();
        while (it.hasNext()) {
            ParsedChunk c = it.next();
            long first = routed ? (c.rows == 0 ? 0 : c.rowIds[0]) : firstId(c, plan, path);
            if (c.rows > 0) chunks.add(new Placed(c, first));
        }
        chunks.sort(Comparator.comparingLong(Placed::firstId)); // id ranges of different chunks never interleave
        return chunks;
    }

    /**
     * The stored form of dense values: {@code (v - offset_j) / scale_j} when a scaler is set, then float32 or not. The
     * scaler travels as a broadcast: held in the closure it would ride in the task binary of every stage over the
     * blocks (each training step), {@code 2 x 8 x numFeatures} bytes each time (256 MB at 2^24 features).
     */
    record Finish(org.apache.spark.broadcast.Broadcast<Scaler> scalerBroadcast, Storage storage) implements Serializable {
        static final Finish NONE = new Finish(null, Storage.FLOAT64);

        static Finish of(JavaRDD<?> rdd, Scaler scaler, Storage storage) {
            return new Finish(scaler == null ? null
                    : org.apache.spark.api.java.JavaSparkContext.fromSparkContext(rdd.context()).broadcast(scaler), storage);
        }

        Scaler scaler() {
            return scalerBroadcast == null ? null : scalerBroadcast.value();
        }
    }

    /** {@code partitions} partitions, each of which iterates every partition of {@code chunks}. */
    private static JavaRDD<ParsedChunk> everyChunk(JavaRDD<ParsedChunk> chunks, int partitions) {
        RDD<ParsedChunk> all = chunks.rdd().coalesce(partitions, false, Option.apply(new EveryPartition()), null);
        return all.toJavaRDD();
    }

    /** Groups for {@code coalesce}: {@code maxPartitions} groups, each holding every parent partition. */
    static final class EveryPartition implements PartitionCoalescer, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
            PartitionGroup[] groups = new PartitionGroup[maxPartitions];
            for (int g = 0; g < maxPartitions; g++) {
                groups[g] = new PartitionGroup(Option.empty());
                for (Partition part : parent.partitions()) groups[g].partitions().addOne(part);
            }
            return groups;
        }
    }

    /** A chunk and the id of its first row. */
    record Placed(ParsedChunk chunk, long firstId) {
        long id(int i) {
            return chunk.id(i, firstId);
        }
    }

    /** A packed block and, when scoring, its rows' source ids (else null). */
    record Built(RowBlock block, String[] sourceIds) {}

    static Built build(int p, List<Placed> chunks, Placement placement, Layout layout, Finish finish, boolean scoring) {
        long nnz = 0;
        int n = 0;
        for (Placed c : chunks) {
            for (int i = 0; i < c.chunk().rows; i++) {
                if (!placement.keeps(c.id(i), p)) continue;
                n++;
                if (layout.sparse()) nnz += c.chunk().nonZeros(i);
            }
        }
        double[] labels = new double[n];
        long[] ids = new long[n];
        String[] sourceIds = scoring ? new String[n] : null;
        int r = 0;
        for (Placed c : chunks) {
            for (int i = 0; i < c.chunk().rows; i++) {
                long id = c.id(i);
                if (!placement.keeps(id, p)) continue;
                labels[r] = c.chunk().labels[i];
                ids[r] = id;
                if (scoring) {
                    String s = c.chunk().sourceIds == null ? null : c.chunk().sourceIds[i];
                    sourceIds[r] = s != null ? s : Long.toString(id);
                }
                r++;
            }
        }
        RowBlock block = layout.sparse() ? sparse(chunks, p, placement, layout, n, nnz, labels, ids)
                .stored(finish.scaler(), finish.storage()) : DenseFill.block(chunks, p, placement, layout.numFeatures(), n,
                finish, labels, ids);
        return new Built(block, sourceIds);
    }

    /** CSR of the kept rows' non-zeros (explicit zeros dropped), 0-based column indices. */
    private static RowBlock sparse(List<Placed> chunks, int part, Placement placement, Layout layout, int n, long total,
                                   double[] labels, long[] ids) {
        if (total > Integer.MAX_VALUE - 16) {
            throw new DataException("a partition holds " + n + " rows with " + total
                    + " non-zeros, too many for one sparse block; use more partitions (at least "
                    + (total / (Integer.MAX_VALUE / 2) + 2) + " times as many)");
        }
        int nnz = (int) total;
        int[] ptr = new int[n + 1];
        int[] idx = new int[nnz];
        double[] dv = layout.floatValues() ? null : new double[nnz];
        float[] fv = layout.floatValues() ? new float[nnz] : null;
        int p = 0;
        int r = 0;
        for (Placed pc : chunks) {
            ParsedChunk c = pc.chunk();
            for (int i = 0; i < c.rows; i++) {
                long id = pc.id(i);
                if (!placement.keeps(id, part)) continue;
                for (int k = 0, len = c.length(i); k < len; k++) {
                    double v = c.value(i, k);
                    if (v == 0.0) continue;
                    idx[p] = c.column(i, k);
                    if (dv != null) {
                        dv[p] = v;
                    } else {
                        fv[p] = (float) v;
                        if (Float.isInfinite(fv[p])) {
                            throw new DataException("row " + id + " (0-based, input order) has feature value " + v
                                    + " at feature " + (idx[p] + 1) + ", beyond float32 range; train it with"
                                    + " training.precision = float64 or rescale the feature");
                        }
                    }
                    p++;
                }
                ptr[++r] = p;
            }
        }
        int cols = layout.numFeatures();
        return new RowBlock(dv != null ? new CsrMatrix(n, cols, ptr, idx, dv) : new FloatCsrMatrix(n, cols, ptr, idx, fv),
                labels, ids);
    }

    /**
     * Dense blocks written in their stored form: as codes ({@link CodedRows}, the table scaled and rounded) when the
     * chunks' values take at most 256 distinct values, else as a float64 or float32 array.
     */
    private static final class DenseFill {
        private DenseFill() {}

        static RowBlock block(List<Placed> chunks, int part, Placement placement, int cols, int n, Finish finish,
                              double[] labels, long[] ids) {
            if ((long) n * cols > Integer.MAX_VALUE - 16) {
                throw new DataException("a partition holds " + n + " rows x " + cols
                        + " features, too many for one dense block; set data.representation = sparse (memory in"
                        + " proportion to the non-zeros) or use more partitions (at least "
                        + ((long) n * cols / (Integer.MAX_VALUE / 2) + 2) + " times as many)");
            }
            Scaler scaler = finish.scaler();
            if (scaler != null && scaler.scales().length != cols) {
                throw org.descent.math.ShapeMismatchException.of("BlockPacker", "block", n, cols, "scaler", 1,
                        scaler.scales().length);
            }
            CodedRows coded = CodedRows.pack(chunks, part, placement, cols, n);
            if (coded != null) {
                boolean plain = scaler == null && finish.storage() != Storage.FLOAT32;
                return RowBlock.coded(plain ? coded : coded.stored(scaler, finish.storage(), ids), labels, ids);
            }
            double[] offset = scaler == null ? null : scaler.offsets();
            double[] scale = scaler == null ? null : scaler.scales();
            boolean toFloat = finish.storage() == Storage.FLOAT32;
            double[] d = toFloat ? null : new double[n * cols];
            float[] f = toFloat ? new float[n * cols] : null;
            double[] row = new double[cols];
            int r = 0;
            for (Placed pc : chunks) {
                ParsedChunk c = pc.chunk();
                for (int i = 0; i < c.rows; i++) {
                    if (!placement.keeps(pc.id(i), part)) continue;
                    int base = r * cols;
                    if (!toFloat && scaler == null) {
                        fill(c, i, d, base, cols);
                    } else {
                        java.util.Arrays.fill(row, 0.0);
                        fill(c, i, row, 0, cols);
                        for (int j = 0; j < cols; j++) {
                            double v = scaler == null ? row[j] : (row[j] - offset[j]) / scale[j];
                            if (!toFloat) {
                                d[base + j] = v;
                                continue;
                            }
                            f[base + j] = (float) v;
                            if (Float.isInfinite(f[base + j])) {
                                throw new DataException("row " + ids[r] + " (0-based, input order) has feature value "
                                        + v + " at feature " + (j + 1) + ", beyond float32 range; set data.storage ="
                                        + " float64 (and training.precision = float64) or rescale the feature");
                            }
                        }
                    }
                    r++;
                }
            }
            return toFloat ? RowBlock.rowMajor(n, cols, f, labels, ids) : RowBlock.rowMajor(n, cols, d, labels, ids);
        }

        /** Row i of c into dst[base..base+cols): dense values copied, sparse entries placed (dst is zero there). */
        private static void fill(ParsedChunk c, int i, double[] dst, int base, int cols) {
            int len = c.length(i);
            if (c.dense()) {
                c.copyDense(i, dst, base, Math.min(len, cols));
                return;
            }
            for (int k = 0; k < len; k++) dst[base + c.column(i, k)] = c.value(i, k);
        }
    }

    static DataException changed(String path, String file) {
        return new DataException("input " + file + " changed while " + path
                + " was being read (rows differ from the validation pass); do not modify input files during a run");
    }
}
