package io.remora.config.validate;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a config cannot be used, carrying every error found rather than the first, so that one run of
 * {@code remora validate} (or one failed reload) shows the operator everything to fix. It is checked because a
 * bad config is an expected outcome of reading one, which every caller (startup, reload, validate) must handle.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Immutable; never empty. */
    private final List<ValidationError> errors;

    /**
     * @param errors at least one error, in the order they should be shown
     * @throws IllegalArgumentException if {@code errors} is empty
     */
    public ConfigException(List<ValidationError> errors) {
        super(render(errors));
        this.errors = List.copyOf(errors);
    }

    /** A single error concerning the file as a whole, such as "cannot read config file ...". */
    public ConfigException(String message) {
        this(List.of(new ValidationError("", message)));
    }

    /** Every error, in the order found; never empty. */
    public List<ValidationError> errors() {
        return errors;
    }

    private static String render(List<ValidationError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        return errors.stream().map(ValidationError::toString).collect(Collectors.joining("\n"));
    }
}
