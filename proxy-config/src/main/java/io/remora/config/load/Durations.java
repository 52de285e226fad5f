package io.remora.config.load;

import io.remora.config.validate.ValidationError;
import java.time.Duration;

/**
 * The one duration syntax of the config: a whole number and a unit, {@code 250ms}, {@code 2s}, {@code 1m},
 * {@code 1h}, or several from largest to smallest unit ({@code 1m30s}). {@code 0s} means "disabled" wherever a
 * key allows it. Bare numbers are refused, because whether {@code timeout: 5} means seconds or milliseconds is
 * exactly the ambiguity that causes outages; fractions and negative values are refused too.
 */
public final class Durations {

    /** What a duration looks like, for the hint shown with every malformed one. */
    static final String FORM = "a duration such as 250ms, 2s, 1m";

    private static final String EXPECTED = "expected " + FORM;

    /**
     * The longest duration accepted, one year: anything longer is a mistake (use {@code 0s} to disable), and
     * it keeps every value far from overflowing when the data plane converts it to nanoseconds.
     */
    public static final Duration MAX = Duration.ofHours(8760);

    private static final String[] UNITS = {"h", "m", "s", "ms"};

    private Durations() {
    }

    /**
     * Parses {@code text}, such as {@code 250ms} or {@code 1m30s}.
     *
     * @throws IllegalArgumentException with a message such as {@code "5": missing unit, expected a duration
     *                                  such as 250ms, 2s, 1m}
     */
    public static Duration parse(String text) {
        if (text.startsWith("-")) {
            throw fail(text, "must not be negative");
        }
        if (text.isEmpty() || !isDigit(text.charAt(0))) {
            throw fail(text, EXPECTED);
        }
        Duration total = Duration.ZERO;
        int lastUnit = -1;
        int i = 0;
        while (i < text.length()) {
            int numberStart = i;
            while (i < text.length() && isDigit(text.charAt(i))) {
                i++;
            }
            if (i == numberStart) {
                throw fail(text, EXPECTED);
            }
            String number = text.substring(numberStart, i);
            if (i < text.length() && (text.charAt(i) == '.' || text.charAt(i) == ',')) {
                throw fail(text, "fractions are not supported, use a smaller unit such as 1500ms for 1.5s");
            }
            int unitStart = i;
            while (i < text.length() && isLetter(text.charAt(i))) {
                i++;
            }
            String unit = text.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw fail(text, i == text.length() ? "missing unit, " + EXPECTED : EXPECTED);
            }
            int unitIndex = unitIndex(unit);
            if (unitIndex < 0) {
                throw fail(text, "unknown unit " + ValidationError.quote(unit) + " (expected ms, s, m or h)");
            }
            if (unitIndex <= lastUnit) {
                throw fail(text, "units must go from largest to smallest, each at most once, such as 1m30s");
            }
            lastUnit = unitIndex;
            total = plus(text, total, number, unit);
        }
        if (total.compareTo(MAX) > 0) {
            throw fail(text, "too large (at most 8760h, one year)");
        }
        return total;
    }

    /**
     * The config spelling of {@code duration}, the inverse of {@link #parse}: {@code 0s}, {@code 250ms},
     * {@code 1m30s}. Precision below a millisecond, which the config cannot express, is dropped.
     */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("negative duration: " + duration);
        }
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long[] amounts = {millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60, millis % 1000};
        for (int u = 0; u < UNITS.length; u++) {
            if (amounts[u] != 0) {
                out.append(amounts[u]).append(UNITS[u]);
            }
        }
        return out.toString();
    }

    private static Duration plus(String text, Duration total, String number, String unit) {
        try {
            long amount = Long.parseLong(number);
            Duration part = switch (unit) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMillis(amount);
            };
            return total.plus(part);
        } catch (NumberFormatException | ArithmeticException e) {
            throw fail(text, "too large (at most 8760h, one year)");
        }
    }

    private static int unitIndex(String unit) {
        for (int u = 0; u < UNITS.length; u++) {
            if (UNITS[u].equals(unit)) {
                return u;
            }
        }
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == 'µ';
    }

    private static IllegalArgumentException fail(String text, String problem) {
        return new IllegalArgumentException(ValidationError.quote(text) + ": " + problem);
    }
}
