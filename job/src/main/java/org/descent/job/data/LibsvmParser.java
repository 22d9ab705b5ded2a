package org.descent.job.data;

/**
 * LIBSVM line: {@code label index:value index:value ...}, whitespace separated, indices 1-based and
 * strictly ascending; absent indices are 0. Blank lines and text after {@code #} are ignored.
 * With optional labels (scoring) a line whose first token holds ':' has no label (label NaN).
 */
final class LibsvmParser implements RowParser {
    private static final long serialVersionUID = 1L;

    private final int numFeatures;
    private final LabelRules labels;
    private final boolean labelOptional;

    LibsvmParser(int numFeatures, LabelRules labels, boolean labelOptional) {
        this.numFeatures = numFeatures;
        this.labels = labels;
        this.labelOptional = labelOptional;
    }

    @Override
    public ParsedRow parse(Object payload, boolean firstOfFile) throws BadRow {
        String line = (String) payload;
        int hash = line.indexOf('#');
        if (hash >= 0) line = line.substring(0, hash);
        String[] tokens = line.trim().split("\\s+");
        if (tokens.length == 1 && tokens[0].isEmpty()) return null;
        int first = 0;
        double label = Double.NaN;
        if (!(labelOptional && tokens[0].indexOf(':') >= 0)) {
            label = labels.parse(tokens[0]);
            first = 1;
        }
        int[] idx = new int[tokens.length - first];
        double[] val = new double[tokens.length - first];
        int prev = 0;
        for (int t = first; t < tokens.length; t++) {
            String tok = tokens[t];
            int colon = tok.indexOf(':');
            if (colon <= 0 || colon == tok.length() - 1) {
                throw new BadRow(BadRowReason.MALFORMED_TOKEN, "malformed token '" + Fields.abbreviate(tok) + "' (expected index:value)");
            }
            int index;
            try {
                index = Integer.parseInt(tok.substring(0, colon));
            } catch (NumberFormatException e) {
                throw new BadRow(BadRowReason.MALFORMED_TOKEN, "malformed index in token '" + Fields.abbreviate(tok) + "'");
            }
            double v;
            try {
                v = Double.parseDouble(tok.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new BadRow(BadRowReason.MALFORMED_TOKEN, "malformed value in token '" + Fields.abbreviate(tok) + "'");
            }
            if (index <= 0) {
                throw new BadRow(BadRowReason.INDEX_ORDER, "feature index " + index + " in token '" + tok + "' (indices are 1-based)");
            }
            if (index <= prev) {
                throw new BadRow(BadRowReason.INDEX_ORDER, "feature index " + index + " after " + prev + " (indices must be strictly ascending)");
            }
            if (numFeatures > 0 && index > numFeatures) {
                throw new BadRow(BadRowReason.INDEX_BEYOND, "feature index " + index + " beyond numFeatures=" + numFeatures);
            }
            if (!Double.isFinite(v)) {
                throw new BadRow(BadRowReason.NON_FINITE, "non-finite feature value in token '" + tok + "'");
            }
            idx[t - first] = index;
            val[t - first] = v;
            prev = index;
        }
        return new ParsedRow(label, idx, val, null);
    }
}
