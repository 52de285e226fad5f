package io.remora.config.load;

import io.remora.config.model.HostPort;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the keys of one YAML map that knows its own path, so that every problem is reported against the key it
 * concerns. No method throws for bad input: each reports to the {@link ErrorList} and returns the default or
 * {@code null}, and reading carries on. Absent keys take the given default; a key present with no value
 * ({@code timeout:}) is an error, except for maps and lists, where it reads as empty because that is what a
 * section whose entries were all commented out looks like.
 */
final class MapReader {

    private final String path;
    private final Map<String, Object> entries;
    private final ErrorList errors;

    private MapReader(String path, Map<String, Object> entries, ErrorList errors) {
        this.path = path;
        this.entries = entries;
        this.errors = errors;
    }

    /**
     * Opens {@code value} as a map of the keys of {@code section}, reporting every key the section does not
     * support. Returns {@code null}, having reported it, if {@code value} is not a map.
     *
     * @param expected what to say was expected if {@code value} is not a map
     */
    static MapReader open(Object value, String path, ConfigKeys.Section section, String expected,
                          ErrorList errors) {
        if (value == null) {
            return new MapReader(path, Map.of(), errors);
        }
        if (!(value instanceof Map<?, ?> map)) {
            errors.wrongType(path, value, expected);
            return null;
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            entries.put(key, entry.getValue());
            checkKey(Paths.child(path, key), key, section, errors);
        }
        return new MapReader(path, entries, errors);
    }

    /**
     * Like {@link #open}, for an element of a list, where no value ({@code - }) is not a commented-out section
     * but a mistake, reported as one error rather than as each of the element's required keys missing.
     */
    static MapReader openElement(Object value, String path, ConfigKeys.Section section, String expected,
                                 ErrorList errors) {
        if (value == null) {
            errors.wrongType(path, null, expected);
            return null;
        }
        return open(value, path, section, expected, errors);
    }

    private static void checkKey(String keyPath, String key, ConfigKeys.Section section, ErrorList errors) {
        if (section.isSupported(key)) {
            return;
        }
        if (section.isLater(key)) {
            errors.add(keyPath, "not supported yet by this version of Remora");
            return;
        }
        if (key.equals("<<")) {
            // YAML 1.1 merge keys are not part of YAML 1.2, which SnakeYAML Engine implements
            errors.add(keyPath, "YAML merge keys are not supported, write the keys out");
            return;
        }
        String suggestion = DidYouMean.nearest(key, section.all());
        errors.add(keyPath, suggestion != null
                ? "unknown key, did you mean \"" + suggestion + "\"?"
                : section.supported().isEmpty() ? "unknown key (this map takes no keys, write {})"
                : "unknown key (expected one of: " + String.join(", ", section.supported()) + ")");
    }

    String path() {
        return path;
    }

    String path(String key) {
        return Paths.child(path, key);
    }

    ErrorList errors() {
        return errors;
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    Object get(String key) {
        return entries.get(key);
    }

    /** An optional string; {@code null} if absent or not a string. */
    String string(String key, String expected) {
        if (!has(key)) {
            return null;
        }
        Object value = get(key);
        if (value instanceof String s) {
            return s;
        }
        errors.wrongType(path(key), value, expected);
        return null;
    }

    /** A required, non-blank string such as a name; {@code null} if it is missing or invalid. */
    String requiredString(String key, String expected) {
        if (!has(key)) {
            errors.missing(path(key), expected);
            return null;
        }
        String s = string(key, expected);
        if (s != null && s.isBlank()) {
            errors.add(path(key), s, "must not be empty");
            return null;
        }
        return s;
    }

    boolean bool(String key, boolean defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        Object value = get(key);
        if (value instanceof Boolean b) {
            return b;
        }
        errors.wrongType(path(key), value, "true or false");
        return defaultValue;
    }

    /** An integer within {@code [min, max]}; the default if absent or invalid. */
    int integer(String key, int defaultValue, int min, int max) {
        if (!has(key)) {
            return defaultValue;
        }
        Integer n = integerValue(get(key), path(key), min, max, "an integer", errors);
        return n != null ? n : defaultValue;
    }

    /**
     * A list of integers, each within {@code [min, max]}; the default if absent, empty if given without a value,
     * {@code null} if it is not a list or an element is invalid (each reported at its index).
     *
     * @param expected        what to say was expected if the value is not a list
     * @param elementExpected what to say was expected if an element is not an integer
     */
    List<Integer> integers(String key, List<Integer> defaultValue, int min, int max, String expected,
                           String elementExpected) {
        if (!has(key)) {
            return defaultValue;
        }
        List<Object> items = list(key, expected);
        if (items == null) {
            return null;
        }
        List<Integer> values = new ArrayList<>();
        boolean valid = true;
        for (int i = 0; i < items.size(); i++) {
            Integer n = integerValue(items.get(i), Paths.index(path(key), i), min, max, elementExpected, errors);
            if (n == null) {
                valid = false;
            } else {
                values.add(n);
            }
        }
        return valid ? List.copyOf(values) : null;
    }

    /** {@code value} as an integer within {@code [min, max]}; {@code null} if it is not one (reported). */
    private static Integer integerValue(Object value, String path, int min, int max, String expected,
                                        ErrorList errors) {
        if (!(value instanceof Integer || value instanceof Long || value instanceof BigInteger)) {
            errors.wrongType(path, value, expected);
            return null;
        }
        BigInteger n = new BigInteger(value.toString());
        boolean tooSmall = n.compareTo(BigInteger.valueOf(min)) < 0;
        if (tooSmall || n.compareTo(BigInteger.valueOf(max)) > 0) {
            String range = max != Integer.MAX_VALUE ? "must be " + min + "-" + max
                    : tooSmall ? "must be >= " + min : "too large (at most " + max + ")";
            errors.add(path, value, range);
            return null;
        }
        return n.intValue();
    }

    /**
     * A number within {@code [0, max]}, written as an integer ({@code 10}) or a decimal ({@code 0.2},
     * {@code 1e-3}); the default if absent or invalid.
     */
    double nonNegativeDecimal(String key, double defaultValue, double max) {
        Double d = decimal(key);
        if (d == null) {
            return defaultValue;
        }
        if (d < 0 || d > max) {
            errors.add(path(key), get(key), "must be 0-" + formatDecimal(max));
            return defaultValue;
        }
        return d;
    }

    /** Like {@link #nonNegativeDecimal}, for a number that must be above zero, with no upper bound. */
    double positiveDecimal(String key, double defaultValue) {
        Double d = decimal(key);
        if (d == null) {
            return defaultValue;
        }
        if (d <= 0) {
            errors.add(path(key), get(key), "must be > 0");
            return defaultValue;
        }
        return d;
    }

    /** The finite number at {@code key}; {@code null} if absent or invalid (reported). */
    private Double decimal(String key) {
        if (!has(key)) {
            return null;
        }
        Object value = get(key);
        if (!(value instanceof Number number)) {
            errors.wrongType(path(key), value, "a number such as 0.5");
            return null;
        }
        double d = number.doubleValue();
        if (!Double.isFinite(d)) {
            errors.add(path(key), value, "expected a finite number");
            return null;
        }
        return d;
    }

    private static String formatDecimal(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /**
     * A size in bytes within {@code [0, max]}, written as an integer number of bytes or as a string such as
     * {@code 64KiB} (see {@link Sizes}); the default if absent or invalid.
     */
    int size(String key, int defaultValue, int max) {
        if (!has(key)) {
            return defaultValue;
        }
        Object value = get(key);
        long bytes;
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            BigInteger n = new BigInteger(value.toString());
            bytes = n.signum() < 0 ? -1 : n.bitLength() < 63 ? n.longValue() : Long.MAX_VALUE;
        } else if (value instanceof String s) {
            try {
                bytes = Sizes.parse(s);
            } catch (IllegalArgumentException e) {
                errors.add(path(key), e.getMessage());
                return defaultValue;
            }
        } else {
            errors.wrongType(path(key), value, Sizes.FORM);
            return defaultValue;
        }
        if (bytes < 0 || bytes > max) {
            errors.add(path(key), value, "must be 0-" + Sizes.format(max));
            return defaultValue;
        }
        return (int) bytes;
    }

    /** A duration ({@code 0s} allowed); the default if absent, {@code null} if invalid. */
    Duration duration(String key, Duration defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        Object value = get(key);
        if (!(value instanceof String s)) {
            errors.wrongType(path(key), value, Durations.FORM);
            return null;
        }
        try {
            return Durations.parse(s);
        } catch (IllegalArgumentException e) {
            errors.add(path(key), e.getMessage());
            return null;
        }
    }

    /** A duration that must be longer than zero; the default if absent, {@code null} if invalid. */
    Duration positiveDuration(String key, Duration defaultValue) {
        Duration d = duration(key, defaultValue);
        if (d != null && d.isZero()) {
            errors.add(path(key), get(key), "must be > 0");
            return null;
        }
        return d;
    }

    /** A {@code host:port}; the default if absent ({@code null} default: required), {@code null} if invalid. */
    HostPort hostPort(String key, HostPort defaultValue) {
        if (!has(key)) {
            if (defaultValue == null) {
                errors.missing(path(key), HostPorts.FORM);
            }
            return defaultValue;
        }
        String s = string(key, HostPorts.FORM);
        if (s == null) {
            return null;
        }
        try {
            return HostPorts.parse(s);
        } catch (IllegalArgumentException e) {
            errors.add(path(key), e.getMessage());
            return null;
        }
    }

    /**
     * One of a fixed set of spellings, such as {@code round_robin}; the default if absent, {@code null} if
     * invalid. A spelling in {@code later} is one the schema reserves for later work.
     */
    <E> E choice(String key, E defaultValue, E[] values, Function<E, String> spelling, List<String> later) {
        if (!has(key)) {
            return defaultValue;
        }
        List<String> names = new ArrayList<>();
        for (E e : values) {
            names.add(spelling.apply(e));
        }
        String expected = "one of: " + String.join(", ", names);
        String s = string(key, expected);
        if (s == null) {
            return null;
        }
        for (E e : values) {
            if (spelling.apply(e).equals(s)) {
                return e;
            }
        }
        errors.add(path(key), s, later.contains(s)
                ? "not supported yet by this version of Remora (supported: " + String.join(", ", names) + ")"
                : "expected " + expected);
        return null;
    }

    /**
     * The elements of a list; empty if absent or given without a value, {@code null} if not a list (reported).
     */
    List<Object> list(String key, String expected) {
        Object value = get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        errors.wrongType(path(key), value, expected);
        return null;
    }

    /** A nested map; an empty reader if absent, {@code null} if not a map (reported). */
    MapReader section(String key, ConfigKeys.Section section, String expected) {
        return open(get(key), path(key), section, expected, errors);
    }
}
