package io.remora.config.load;

import io.remora.config.validate.ValidationError;

/**
 * The size syntax of the config: a whole number and a binary unit, {@code 512B}, {@code 64KiB}, {@code 1MiB},
 * {@code 1GiB}. A YAML integer (read by the caller, not here) is a number of bytes, and so is a string of
 * digits alone. Decimal units ({@code KB}, {@code MB}) are refused rather than guessed at, because whether
 * {@code 64KB} means 64000 or 65536 bytes is exactly what a limit must not leave open.
 */
final class Sizes {

    /** What a size looks like, for the hint shown with every malformed one. */
    static final String FORM = "a size such as 512B, 64KiB or 1MiB, or a number of bytes";

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB"};

    private Sizes() {
    }

    /**
     * Parses {@code text}, such as {@code 64KiB}, into bytes; at most {@link Long#MAX_VALUE}.
     *
     * @throws IllegalArgumentException with a message such as {@code "64KB": unknown unit "KB" (expected B,
     *                                  KiB, MiB or GiB)}
     */
    static long parse(String text) {
        if (text.startsWith("-")) {
            throw fail(text, "must not be negative");
        }
        int i = 0;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        if (i == 0) {
            throw fail(text, "expected " + FORM);
        }
        if (i < text.length() && (text.charAt(i) == '.' || text.charAt(i) == ',')) {
            throw fail(text, "fractions are not supported, use a smaller unit such as 1536KiB for 1.5MiB");
        }
        String number = text.substring(0, i);
        String unit = text.substring(i);
        int shift = unitShift(unit);
        if (shift < 0) {
            boolean letters = !unit.isEmpty() && unit.chars().allMatch(Character::isLetter);
            throw fail(text, letters
                    ? "unknown unit " + ValidationError.quote(unit) + " (expected B, KiB, MiB or GiB)"
                    : "expected " + FORM);
        }
        long amount;
        try {
            amount = Long.parseLong(number);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
        return amount > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : amount << shift;
    }

    /** The config spelling of {@code bytes} in the largest unit that divides it: {@code 64KiB}, {@code 1000B}. */
    static String format(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size: " + bytes);
        }
        int u = 0;
        long amount = bytes;
        while (u < UNITS.length - 1 && amount != 0 && amount % 1024 == 0) {
            amount /= 1024;
            u++;
        }
        return amount + UNITS[u];
    }

    /** log2 of the unit's size, 0 for none (bytes), -1 if unknown. */
    private static int unitShift(String unit) {
        if (unit.isEmpty()) {
            return 0;
        }
        for (int u = 0; u < UNITS.length; u++) {
            if (UNITS[u].equals(unit)) {
                return 10 * u;
            }
        }
        return -1;
    }

    private static IllegalArgumentException fail(String text, String problem) {
        return new IllegalArgumentException(ValidationError.quote(text) + ": " + problem);
    }
}
