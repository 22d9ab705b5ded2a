package org.descent.job.data;

/**
 * Where a data set is and how to read it; built and validated by the config layer.
 *
 * @param path          any Hadoop filesystem URI or local path (file:, hdfs:, s3a:, ...)
 * @param format        input format
 * @param numFeatures   expected feature count, or 0 to infer (a mismatch with the data is an error)
 * @param labelType     real value or class index
 * @param numClasses    for CLASS_INDEX: expected class count, or 0 to infer (max label + 1); ignored for REAL
 * @param labelColumn   CSV: column name (with header) or 0-based index as text; Parquet: column name
 * @param csvHeader     CSV: first line is a header
 * @param csvDelimiter  CSV: field delimiter
 * @param featuresColumn Parquet: name of a vector/array features column, or null to use every numeric column but the label
 * @param idColumn      optional id column carried through by predict (null when absent)
 * @param badRows       malformed-row policy
 * @param representation how the blocks are cached (AUTO: from the measured density and width)
 * @param floatValues   sparse blocks store float32 values (a FLOAT32 run); dense blocks are double either way
 */
public record DataSpec(String path, DataFormat format, int numFeatures, LabelType labelType, int numClasses,
                       String labelColumn, boolean csvHeader, char csvDelimiter, String featuresColumn,
                       String idColumn, BadRowPolicy badRows, Representation representation, boolean floatValues) {
    public DataSpec {
        if (path == null || path.isBlank()) throw new IllegalArgumentException("data path is empty");
        if (format == null) throw new IllegalArgumentException("data format is null");
        if (numFeatures < 0) throw new IllegalArgumentException("numFeatures must be >= 0: " + numFeatures);
        if (numClasses < 0) throw new IllegalArgumentException("numClasses must be >= 0: " + numClasses);
        if (labelType == null) throw new IllegalArgumentException("label type is null");
        if (badRows == null) badRows = BadRowPolicy.FAIL;
        if (representation == null) representation = Representation.AUTO;
    }

    /** A spec with {@link Representation#AUTO} and float64 values. */
    public DataSpec(String path, DataFormat format, int numFeatures, LabelType labelType, int numClasses,
                    String labelColumn, boolean csvHeader, char csvDelimiter, String featuresColumn,
                    String idColumn, BadRowPolicy badRows) {
        this(path, format, numFeatures, labelType, numClasses, labelColumn, csvHeader, csvDelimiter, featuresColumn,
                idColumn, badRows, Representation.AUTO, false);
    }

    /** Same spec, other representation and value width. */
    public DataSpec withRepresentation(Representation r, boolean floats) {
        return new DataSpec(path, format, numFeatures, labelType, numClasses, labelColumn, csvHeader,
                csvDelimiter, featuresColumn, idColumn, badRows, r, floats);
    }

    /** Same spec, other path (e.g. the validation or test file). */
    public DataSpec withPath(String otherPath) {
        return new DataSpec(otherPath, format, numFeatures, labelType, numClasses, labelColumn, csvHeader,
                csvDelimiter, featuresColumn, idColumn, badRows, representation, floatValues);
    }

    /** Same spec with the feature/class counts fixed (e.g. to those inferred from the training data). */
    public DataSpec withCounts(int features, int classes) {
        return new DataSpec(path, format, features, labelType, classes, labelColumn, csvHeader,
                csvDelimiter, featuresColumn, idColumn, badRows, representation, floatValues);
    }
}
