package org.descent.job.data;

/**
 * Why a row was rejected. {@link #key()} is the key in {@link LoadedData#badRowCounts()};
 * {@link #fix()} is the hint appended to the error message.
 */
public enum BadRowReason {
    MALFORMED_TOKEN("malformed-token", "LIBSVM rows are 'label index:value ...' with numeric values"),
    INDEX_ORDER("index-order", "LIBSVM indices must be 1-based and strictly ascending"),
    INDEX_BEYOND("index-beyond-num-features", "fix the row, or set data.num-features to the real count (0 infers it)"),
    NON_NUMERIC("non-numeric", "every feature and label field must be a number"),
    COLUMN_COUNT("column-count", "every row needs the same number of columns as the header/first row"),
    NON_FINITE("non-finite", "NaN and infinite values are not allowed; impute or drop them"),
    MISSING_VALUE("missing-value", "null or empty fields are not allowed; impute or drop them"),
    LABEL_RANGE("label-range", "class labels must be 0..data.num-classes - 1 (remap e.g. -1/+1 to 0/1), or set data.num-classes = 0 to infer"),
    LABEL_NOT_INTEGER("label-not-integer", "class labels must be integers; for regression set data.label-type = real"),
    FEATURE_LENGTH("feature-length", "every features array must hold data.num-features values"),
    VECTOR_SIZE("vector-size", "every vector must have size data.num-features; build the column with one width"
            + " (e.g. one HashingTF/FeatureHasher numFeatures), or set data.num-features = 0 to infer it"),
    VECTOR_INDICES("vector-indices", "sparse vector indices must be 0-based, strictly ascending and below the vector size"),
    HEADER_MISMATCH("header-mismatch", "every CSV file must have the same header as the first file"),
    MALFORMED_CSV("malformed-csv", "put a field holding the delimiter or a quote in double quotes, write a quote"
            + " inside it as \"\", and keep every quoted field on one line");

    private final String key;
    private final String fix;

    BadRowReason(String key, String fix) {
        this.key = key;
        this.fix = fix;
    }

    public String key() {
        return key;
    }

    public String fix() {
        return fix;
    }
}
