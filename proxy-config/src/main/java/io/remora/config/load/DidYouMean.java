package io.remora.config.load;

import java.util.List;
import java.util.Locale;

/**
 * Finds the known word an unknown one was probably meant to be ({@code rutes} → {@code routes}), so that a typo
 * in a key gets a one-glance fix instead of a list to read through.
 */
final class DidYouMean {

    /** A suggestion farther than this many edits away is more likely noise than help. */
    private static final int MAX_DISTANCE = 2;

    private DidYouMean() {
    }

    /**
     * The candidate nearest to {@code word} by edit distance (insertions, deletions, substitutions and swaps of
     * neighbours, ignoring case), or {@code null} if none is close. Close means at most two edits, and at most
     * half the length of {@code word}, so that a two-letter word does not "match" every two-letter key. On a tie
     * the earlier candidate wins.
     */
    static String nearest(String word, List<String> candidates) {
        String w = word.toLowerCase(Locale.ROOT);
        int limit = Math.min(MAX_DISTANCE, w.length() / 2);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(w, candidate.toLowerCase(Locale.ROOT));
            if (d <= limit && d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Optimal string alignment distance (Damerau-Levenshtein where no substring is edited twice). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
