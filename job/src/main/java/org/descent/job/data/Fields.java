package org.descent.job.data;

/** Small text helpers shared by the text parsers. */
final class Fields {
    private Fields() {}

    /** Parses a numeric field; {@code what} names it in the message (e.g. "label", "column 'x'"). */
    static double number(String text, String what) throws BadRow {
        String t = unquote(text.trim());
        if (t.isEmpty()) throw new BadRow(BadRowReason.MISSING_VALUE, "empty " + what);
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new BadRow(BadRowReason.NON_NUMERIC, "non-numeric " + what + " '" + abbreviate(t) + "'");
        }
        return v;
    }

    static String unquote(String t) {
        if (t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"') {
            return t.substring(1, t.length() - 1).trim();
        }
        return t;
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** Splits on a single delimiter character, keeping empty fields (no quote handling). */
    static String[] split(String line, char delimiter) {
        int n = 1;
        for (int i = 0; i < line.length(); i++) if (line.charAt(i) == delimiter) n++;
        String[] out = new String[n];
        int start = 0;
        int k = 0;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == delimiter) {
                out[k++] = line.substring(start, i);
                start = i + 1;
            }
        }
        out[k] = line.substring(start);
        return out;
    }
}
