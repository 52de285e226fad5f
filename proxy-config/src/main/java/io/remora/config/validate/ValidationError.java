package io.remora.config.validate;

import java.io.Serializable;
import java.util.Objects;

/**
 * One thing wrong with a config, located by the path of the key it concerns, so that an operator can find it in
 * the file: {@code clusters[1].endpoints[0].address: "127.0.0.1:99999": port must be 1-65535}. Errors are values,
 * collected rather than thrown, so that all of them can be reported together.
 *
 * @param path    where in the config, such as {@code listeners[0].routes[1].match.prefix}; empty when the error
 *                concerns the file as a whole (unreadable, not YAML, empty)
 * @param message what is wrong, naming the offending value (quoted when it is a string) and what was expected
 */
public record ValidationError(String path, String message) implements Serializable {

    public ValidationError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** An error about a given value: the message becomes {@code <value>: <problem>}, see {@link #quote(Object)}. */
    public static ValidationError forValue(String path, Object value, String problem) {
        return new ValidationError(path, quote(value) + ": " + problem);
    }

    /**
     * How a value appears in a message: a string in double quotes with Java-style escapes (so that an empty
     * string, a trailing space or a line break stays visible), anything else as its {@code toString()}.
     */
    public static String quote(Object value) {
        if (!(value instanceof String s)) {
            return String.valueOf(value);
        }
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** {@code path: message}, or just the message when the path is empty. */
    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
