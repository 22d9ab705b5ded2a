package org.descent.math.scale;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.descent.math.ShapeMismatchException;

/**
 * Per-feature affine scaling fitted from {@link FeatureStats}:
 *
 * <pre>  x'_j = (x_j - offset_j) / scale_j  </pre>
 *
 * <ul>
 *   <li>{@link ScalerKind#STANDARD}: offset = mean, scale = population std;</li>
 *   <li>{@link ScalerKind#MIN_MAX}: offset = min, scale = max - min (training data lands in [0, 1]);</li>
 *   <li>{@link ScalerKind#MAX_ABS}: offset = 0, scale = max |x| (data in [-1, 1]);</li>
 *   <li>{@link ScalerKind#UNIT_VARIANCE}: offset = 0, scale = population std (no centering);</li>
 *   <li>{@link ScalerKind#NONE}: offset = 0, scale = 1.</li>
 * </ul>
 * The last three keep zeros zero: the only kinds {@link #transformSparseInPlace} accepts.
 *
 * A constant feature (std or range 0, or below {@code 1e-12 * max(1, |offset|)} i.e. rounding noise)
 * gets scale 1, so it maps to 0 and no division by zero or NaN can happen; every stored scale is
 * finite and {@code > 0}, every offset finite. Immutable; {@link Serializable} for Spark broadcast.
 * Stored with the model via {@link #toBytes()} / {@link #fromBytes(byte[])}, or as JSON from
 * {@link #kind()}, {@link #offsets()}, {@link #scales()} and back through {@link #of}.
 */
public final class Scaler implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int MAGIC = 0x44534353; // "DSCS"
    private static final int VERSION = 1;
    private static final double RELATIVE_TINY = 1e-12;

    private final ScalerKind kind;
    private final double[] offset;
    private final double[] scale;

    private Scaler(ScalerKind kind, double[] offset, double[] scale) {
        this.kind = kind;
        this.offset = offset;
        this.scale = scale;
    }

    /** Fits {@code kind} to {@code stats}; needs at least one row unless {@code kind} is NONE. */
    public static Scaler fit(ScalerKind kind, FeatureStats stats) {
        if (kind == null) {
            throw new IllegalArgumentException("scaler kind is null");
        }
        int n = stats.numFeatures();
        double[] off = new double[n];
        double[] sc = new double[n];
        if (kind != ScalerKind.NONE && stats.count() == 0) {
            throw new IllegalArgumentException("cannot fit a " + kind.configName() + " scaler on zero rows");
        }
        for (int j = 0; j < n; j++) {
            switch (kind) {
                case NONE -> {
                    off[j] = 0;
                    sc[j] = 1;
                }
                case STANDARD -> {
                    off[j] = stats.mean(j);
                    sc[j] = nonDegenerate(stats.std(j), off[j]);
                }
                case MIN_MAX -> {
                    off[j] = stats.min(j);
                    sc[j] = nonDegenerate(stats.max(j) - stats.min(j), Math.max(Math.abs(stats.min(j)), Math.abs(stats.max(j))));
                }
                case MAX_ABS -> {
                    off[j] = 0;
                    sc[j] = nonDegenerate(Math.max(Math.abs(stats.min(j)), Math.abs(stats.max(j))), 0);
                }
                case UNIT_VARIANCE -> {
                    off[j] = 0;
                    sc[j] = nonDegenerate(stats.std(j), stats.mean(j));
                }
            }
        }
        return new Scaler(kind, off, sc);
    }

    /**
     * The {@link ScalerKind#MAX_ABS} scaler from each feature's largest {@code |x|} over the rows' stored values (0 for
     * a feature never seen): the same bits as {@link #fit} of MAX_ABS on the same rows, without {@link FeatureStats}'
     * four {@code numFeatures} arrays (what a sparse fit keeps per partition is only the features it holds).
     */
    public static Scaler maxAbs(double[] maxAbs) {
        double[] sc = new double[maxAbs.length];
        for (int j = 0; j < sc.length; j++) sc[j] = nonDegenerate(maxAbs[j], 0);
        return new Scaler(ScalerKind.MAX_ABS, new double[maxAbs.length], sc);
    }

    private static double nonDegenerate(double s, double magnitude) {
        return s > RELATIVE_TINY * Math.max(1, Math.abs(magnitude)) && Double.isFinite(s) ? s : 1;
    }

    /** The identity scaler for {@code numFeatures} features. */
    public static Scaler identity(int numFeatures) {
        return fit(ScalerKind.NONE, new FeatureStats(numFeatures));
    }

    /**
     * Rebuilds a scaler from stored arrays (e.g. model JSON). Validates equal lengths, finite offsets and
     * finite positive scales; the arrays are copied.
     */
    public static Scaler of(ScalerKind kind, double[] offset, double[] scale) {
        if (kind == null || offset == null || scale == null) {
            throw new IllegalArgumentException("scaler kind, offset and scale must not be null");
        }
        if (offset.length != scale.length || offset.length == 0) {
            throw new IllegalArgumentException("scaler offset has " + offset.length + " entries and scale has "
                    + scale.length + "; both need one entry per feature (at least one)");
        }
        for (int j = 0; j < offset.length; j++) {
            if (!Double.isFinite(offset[j])) {
                throw new IllegalArgumentException("scaler offset[" + j + "] is " + offset[j] + "; must be finite");
            }
            if (!(Double.isFinite(scale[j]) && scale[j] > 0)) {
                throw new IllegalArgumentException("scaler scale[" + j + "] is " + scale[j] + "; must be finite and > 0");
            }
        }
        return new Scaler(kind, offset.clone(), scale.clone());
    }

    /**
     * Scales a row block in place: {@code rows x cols} column-major with leading dimension {@code rows}
     * ({@code data[j * rows + i]}); {@code cols} must equal {@link #numFeatures()}. Allocates nothing.
     */
    public void transformInPlace(double[] colMajorData, int rows, int cols) {
        if (cols != offset.length || rows < 0 || colMajorData.length < (long) rows * cols) {
            throw new ShapeMismatchException("Scaler.transformInPlace: block=" + rows + "x" + cols + " (data has "
                    + colMajorData.length + " values), scaler=1x" + offset.length);
        }
        for (int j = 0; j < cols; j++) {
            double o = offset[j];
            double s = scale[j];
            for (int i = j * rows, end = i + rows; i < end; i++) {
                colMajorData[i] = (colMajorData[i] - o) / s;
            }
        }
    }

    /**
     * Scales a sparse block's stored values in place ({@code v / scale[column]}): zeros stay zero. Only for a
     * scaler whose offsets are all 0 (kinds NONE, MAX_ABS, UNIT_VARIANCE); a centering scaler would make every
     * absent entry non-zero, so it is refused with the kinds to use instead.
     */
    public void transformSparseInPlace(org.descent.math.sparse.SparseRows x) {
        if (x.cols() != offset.length) {
            throw ShapeMismatchException.of("Scaler.transformSparseInPlace", "block", x.rows(), x.cols(), "scaler", 1, offset.length);
        }
        for (double o : offset) {
            if (o != 0.0) {
                throw new IllegalArgumentException(centeringRefusal(kind));
            }
        }
        int[] idx = x.colIdx();
        int from = x.rowPtr()[0];
        int to = x.rowPtr()[x.rows()];
        if (x instanceof org.descent.math.sparse.CsrMatrix c) {
            double[] v = c.values();
            for (int p = from; p < to; p++) v[p] /= scale[idx[p]];
        } else {
            float[] v = ((org.descent.math.sparse.FloatCsrMatrix) x).values();
            for (int p = from; p < to; p++) v[p] = (float) (v[p] / scale[idx[p]]);
        }
    }

    /** Why a centering scaler cannot run on sparse rows, and what to use instead. */
    public static String centeringRefusal(ScalerKind kind) {
        return "feature scaling '" + kind.configName() + "' subtracts a per-feature offset, which would turn every absent"
                + " entry of the sparse rows into a non-zero (a dense row per example); use data.scaling = max-abs"
                + " (x / max|x|) or unit-variance (x / std, no centering), or data.representation = dense for narrow data";
    }

    /** Scales one row in place and returns it. */
    public double[] transformRow(double[] row) {
        if (row.length != offset.length) {
            throw ShapeMismatchException.of("Scaler.transformRow", "row", 1, row.length, "scaler", 1, offset.length);
        }
        for (int j = 0; j < row.length; j++) {
            row[j] = (row[j] - offset[j]) / scale[j];
        }
        return row;
    }

    /** Undoes {@link #transformRow} in place: {@code x = x' * scale + offset}. */
    public double[] inverseTransformRow(double[] row) {
        if (row.length != offset.length) {
            throw ShapeMismatchException.of("Scaler.inverseTransformRow", "row", 1, row.length, "scaler", 1, offset.length);
        }
        for (int j = 0; j < row.length; j++) {
            row[j] = row[j] * scale[j] + offset[j];
        }
        return row;
    }

    public ScalerKind kind() {
        return kind;
    }

    public int numFeatures() {
        return offset.length;
    }

    /** Copy of the offsets. */
    public double[] offsets() {
        return offset.clone();
    }

    /** Copy of the scales (all finite, {@code > 0}). */
    public double[] scales() {
        return scale.clone();
    }

    /**
     * {@code int magic "DSCS", int version 1, UTF kind, int n, n offsets, n scales} (DataOutputStream,
     * raw IEEE-754 doubles, so the round trip is bit-identical).
     */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + 16 * offset.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(kind.name());
            out.writeInt(offset.length);
            for (double v : offset) out.writeDouble(v);
            for (double v : scale) out.writeDouble(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Inverse of {@link #toBytes()}; refuses foreign, truncated or invalid bytes with IllegalArgumentException. */
    public static Scaler fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new IllegalArgumentException("not scaler bytes (format tag 0x" + Integer.toHexString(magic) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("unsupported scaler format version " + version);
            }
            ScalerKind kind = ScalerKind.valueOf(in.readUTF());
            int n = in.readInt();
            if (n <= 0 || n > (bytes.length - 12) / 16) {
                throw new IllegalArgumentException("corrupt scaler bytes: feature count " + n);
            }
            double[] off = new double[n];
            double[] sc = new double[n];
            for (int j = 0; j < n; j++) off[j] = in.readDouble();
            for (int j = 0; j < n; j++) sc[j] = in.readDouble();
            if (in.read() != -1) {
                throw new IllegalArgumentException("trailing bytes after scaler");
            }
            return of(kind, off, sc);
        } catch (EOFException e) {
            throw new IllegalArgumentException("scaler bytes are truncated (" + bytes.length + " bytes)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "Scaler[" + kind.configName() + ", features=" + offset.length + "]";
    }
}
