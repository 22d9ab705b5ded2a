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

    /** Longest shown part of input text in a message (after escaping). */
    static final int SHOWN = 40;

    /**
     * Input text as it may appear in a message: control and other non-printable characters escaped
     * ({@code \0}, {@code \t}, {@code \x1b}, {@code \ufffd} for bytes that are not UTF-8), at most
     * {@link #SHOWN} characters, then {@code ...}. Only the start of a long line is looked at, so a binary
     * file's "line" of megabytes costs nothing.
     */
    static String abbreviate(String s) {
        StringBuilder b = new StringBuilder(SHOWN + 8);
        int cut = 0; // length of the escaped prefix that still leaves room for "..."
        int i = 0;
        for (; i < s.length() && b.length() <= SHOWN; i++) {
            b.append(escape(s.charAt(i)));
            if (b.length() <= SHOWN - 3) cut = b.length();
        }
        if (i == s.length() && b.length() <= SHOWN) return b.toString();
        b.setLength(cut);
        return b.append("...").toString();
    }

    private static String escape(char c) {
        switch (c) {
            case '\0': return "\\0";
            case '\t': return "\\t";
            case '\n': return "\\n";
            case '\r': return "\\r";
            default:
        }
        if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return String.format("\\x%02x", (int) c);
        int type = Character.getType(c);
        if (c == '\ufffd' || type == Character.UNASSIGNED || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.FORMAT) {
            return String.format("\\u%04x", (int) c);
        }
        return String.valueOf(c);
    }
}
