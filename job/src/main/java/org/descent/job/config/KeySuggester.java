package org.descent.job.config;

import java.util.Collection;

/** "Did you mean ...?" for unknown keys and enum values: the closest candidate by edit distance. */
final class KeySuggester {
    private KeySuggester() {}

    /**
     * The candidate closest to {@code given}: by Levenshtein distance over the whole dotted path when
     * within {@code max(2, length/3)}; otherwise a key with the same last segment in another section
     * (e.g. {@code training.learning-rate} → {@code optimizer.learning-rate}); null when nothing is close.
     */
    static String suggest(String given, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = levenshtein(given, c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best != null && bestDistance <= Math.max(2, given.length() / 3)) {
            return best;
        }
        String last = lastSegment(given);
        for (String c : candidates) {
            if (lastSegment(c).equals(last)) {
                return c;
            }
        }
        return null;
    }

    static String lastSegment(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
