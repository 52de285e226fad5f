package io.remora.config.load;

import io.remora.config.validate.ValidationError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The errors found so far while reading one file. Readers add to it and carry on, so that one run reports
 * everything wrong with the file; the message shapes shared by every reader live here so they stay uniform.
 */
final class ErrorList {

    private final List<ValidationError> errors = new ArrayList<>();

    void add(String path, String message) {
        errors.add(new ValidationError(path, message));
    }

    /** {@code path: <value>: problem}, the value quoted if it is a string. */
    void add(String path, Object value, String problem) {
        errors.add(ValidationError.forValue(path, value, problem));
    }

    void addAll(List<ValidationError> more) {
        errors.addAll(more);
    }

    /** A required key is absent. */
    void missing(String path, String expected) {
        add(path, "missing, expected " + expected);
    }

    /**
     * A value of the wrong kind: {@code no value}, {@code expected X, got a list}, or {@code 5: expected X}
     * for a scalar, which shows the value as the parser read it.
     */
    void wrongType(String path, Object value, String expected) {
        if (value == null) {
            add(path, "no value, expected " + expected);
        } else if (value instanceof Map<?, ?>) {
            add(path, "expected " + expected + ", got a map");
        } else if (value instanceof List<?>) {
            add(path, "expected " + expected + ", got a list");
        } else if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            add(path, value, "expected " + expected);
        } else if (value instanceof byte[]) {
            add(path, "expected " + expected + ", got binary data");
        } else {
            add(path, "expected " + expected + ", got " + value.getClass().getSimpleName());
        }
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Errors so far: a reader compares it before and after reading a value to learn whether the value was valid. */
    int size() {
        return errors.size();
    }

    List<ValidationError> toList() {
        return List.copyOf(errors);
    }
}
