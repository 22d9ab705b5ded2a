package org.descent.job.data;

/**
 * How a partition's rows are cached ({@code data.representation}): {@link #DENSE} column-major blocks
 * for GEMM, {@link #SPARSE} CSR blocks (memory proportional to the non-zeros), or {@link #AUTO}: decided
 * from the data's measured density and width by {@link #resolve}.
 */
public enum Representation {
    AUTO, DENSE, SPARSE;

    /** AUTO picks SPARSE at or below this share of non-zeros (denser rows run faster as GEMM). */
    public static final double AUTO_MAX_DENSITY = 0.1;
    /** ... and only above this many features (narrow inputs stay dense whatever their density). */
    public static final int AUTO_MIN_FEATURES = 64;

    /**
     * DENSE or SPARSE for data of {@code rows} rows, {@code features} columns and {@code nnz} non-zeros in
     * {@code partitions} blocks: as configured, or for AUTO sparse when the density is at most
     * {@link #AUTO_MAX_DENSITY} with more than {@link #AUTO_MIN_FEATURES} features, or when a dense block
     * would not fit one Java array.
     */
    public Representation resolve(long rows, int features, long nnz, int partitions) {
        if (this != AUTO) return this;
        double cells = (double) rows * features;
        double density = cells == 0 ? 1 : nnz / cells;
        boolean tooWide = cells / Math.max(1, partitions) * 1.2 > Integer.MAX_VALUE - 16;
        return tooWide || (density <= AUTO_MAX_DENSITY && features > AUTO_MIN_FEATURES) ? SPARSE : DENSE;
    }
}
