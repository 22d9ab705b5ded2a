package org.descent.job.data;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaRDD;
import org.descent.math.scale.Scaler;

/**
 * Rows validated outside the data stage (the Spark ML estimators' DataFrames) packed by the data stage's own code, so
 * they become the blocks {@code train} builds from the same rows: each input partition's valid rows are held as a
 * {@link ParsedChunk} (dense values, or a sparse row's entries only: memory in proportion to the non-zeros), the
 * representation is {@link Representation#resolve}d from the measured width and non-zeros, and {@link BlockPacker}
 * packs the chunks in place (no shuffle) into one block per partition, dense or CSR, scaled and stored as the run
 * asks ({@link LoadedData#stored}).
 *
 * <p>Call order: fill one {@link Part} per input partition (in a task), persist and count them, then {@link #pack}
 * (or {@link #pack} twice with a holdout side). Row id = the rank of the row in (part index, row) order.
 */
public final class ExternalRows {
    private static final Logger LOG = LogManager.getLogger(ExternalRows.class);

    private ExternalRows() {}

    /** One input partition's valid rows in order: {@code index} orders the parts (ids follow it). */
    public static final class Part implements Serializable {
        private static final long serialVersionUID = 1L;
        final ParsedChunk chunk;
        private long nonZeros;

        public Part(String source, int index) {
            chunk = new ParsedChunk(new RunStats(source, index));
        }

        /**
         * Appends a valid row: dense {@code values} ({@code indices} null) or a sparse row's entries at 0-based,
         * strictly ascending {@code indices}. The values are copied; zeros are dropped when packed sparse.
         */
        public void add(double label, int[] indices, double[] values) {
            int[] oneBased = null;
            if (indices != null) {
                oneBased = new int[indices.length];
                for (int k = 0; k < indices.length; k++) oneBased[k] = indices[k] + 1;
            }
            ParsedRow r = new ParsedRow(label, oneBased, values, null);
            nonZeros += r.nonZeros();
            chunk.add(r);
        }

        public int rows() {
            return chunk.rows;
        }

        /** Non-zero values of the rows so far. */
        public long nonZeros() {
            return nonZeros;
        }
    }

    /**
     * What the parts hold and how to pack them.
     *
     * @param source         the name in messages (e.g. "the DataFrame")
     * @param validRows      valid rows of part i at [i] (the parts' {@link Part#rows})
     * @param nonZeros       non-zero values of all valid rows
     * @param representation {@code data.representation}; AUTO resolved as the data stage resolves it
     * @param floatValues    sparse blocks hold float32 values (a float32 run), as {@code train} packs them
     */
    public record Shape(String source, long[] validRows, int numFeatures, int numClasses, long nonZeros,
                        Map<String, Long> badRowCounts, Representation representation, boolean floatValues,
                        int partitions, long seed) implements Serializable {
        public long rows() {
            long n = 0;
            for (long r : validRows) n += r;
            return n;
        }

        /** DENSE or SPARSE for these rows (what {@code train} decides for the same rows and settings). */
        public Representation resolved() {
            return representation.resolve(rows(), numFeatures, nonZeros, partitions);
        }
    }

    /**
     * The blocks of {@code parts}: every row ({@code holdout <= 0}), or one side of the seeded holdout of that
     * fraction ({@link RowAssignment#inHoldout}); {@code rows} is the count on that side. {@link LoadedData#release}
     * unpersists {@code cached}, the persisted RDD {@code parts} are read from (the trainer releases once the stored
     * blocks are cached, so the parsed rows are not held during training).
     */
    public static LoadedData pack(JavaRDD<Part> parts, JavaRDD<?> cached, Shape shape, double holdout,
                                  boolean validationSide, long rows) {
        HashMap<String, long[]> plan = new HashMap<>();
        long offset = 0;
        for (int i = 0; i < shape.validRows().length; i++) {
            plan.put(Scan.key(shape.source(), i), new long[] {offset, shape.validRows()[i]});
            offset += shape.validRows()[i];
        }
        IdPartitioners.Seeded partitioner = new IdPartitioners.Seeded(shape.seed(), shape.partitions());
        BlockPacker.Placement placement = holdout > 0
                ? new BlockPacker.Placement(partitioner, shape.seed(), holdout, validationSide)
                : BlockPacker.Placement.all(partitioner);
        boolean sparse = shape.resolved() == Representation.SPARSE;
        BlockPacker.Layout layout = new BlockPacker.Layout(shape.numFeatures(), sparse, sparse && shape.floatValues());
        JavaRDD<ParsedChunk> chunks = parts.map(p -> p.chunk);
        BlockPacker.Rows routed = new BlockPacker.Rows(chunks, plan, shape.source(), placement);
        LoadedData.Packing packing = new LoadedData.Packing() {
            @Override
            public JavaRDD<RowBlock> stored(Scaler scaler, Storage storage) {
                return routed.pack(layout, BlockPacker.Finish.of(chunks, scaler, storage));
            }

            @Override
            public void release() {
                cached.unpersist(false);
            }
        };
        return new LoadedData(packing.stored(null, Storage.FLOAT64), rows, shape.numFeatures(), shape.numClasses(),
                shape.badRowCounts(), packing);
    }

    /** Logs what {@code train} logs for the same rows: counts, density, representation and the bytes to cache. */
    public static void log(Shape s) {
        long rows = s.rows();
        boolean sparse = s.resolved() == Representation.SPARSE;
        double density = rows == 0 ? 0 : (double) s.nonZeros() / ((double) rows * s.numFeatures());
        long bytes = sparse ? 4L * (rows + s.partitions()) + (s.floatValues() ? 8L : 12L) * s.nonZeros() + 16L * rows
                : 8L * rows * s.numFeatures() + 16L * rows;
        LOG.info("{}: {} rows x {} features, {} non-zeros (density {}): {} blocks ({}), {} bytes before storage"
                        + " ({} per non-zero)", s.source(), rows, s.numFeatures(), s.nonZeros(),
                String.format(Locale.ROOT, "%.3g", density), sparse ? "sparse" : "dense",
                s.representation() == Representation.AUTO ? "auto" : "configured", bytes,
                String.format(Locale.ROOT, "%.1f", s.nonZeros() == 0 ? 0.0 : (double) bytes / s.nonZeros()));
    }
}
