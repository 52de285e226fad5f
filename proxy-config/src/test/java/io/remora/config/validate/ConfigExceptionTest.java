package io.remora.config.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigExceptionTest {

    @Test
    void messageListsEveryErrorOnePerLine() {
        ConfigException e = new ConfigException(List.of(
                new ValidationError("", "test.yaml: something"),
                new ValidationError("listeners[0].name", "missing")));

        assertEquals("test.yaml: something\nlisteners[0].name: missing", e.getMessage());
    }

    @Test
    void errorsAreACopy() {
        List<ValidationError> errors = new ArrayList<>(List.of(new ValidationError("a", "b")));
        ConfigException e = new ConfigException(errors);
        errors.clear();

        assertEquals(List.of(new ValidationError("a", "b")), e.errors());
        assertThrows(UnsupportedOperationException.class, () -> e.errors().clear());
    }

    @Test
    void aSingleMessageIsAnErrorWithoutPath() {
        assertEquals(List.of(new ValidationError("", "cannot read")), new ConfigException("cannot read").errors());
    }

    @Test
    void needsAtLeastOneError() {
        assertThrows(IllegalArgumentException.class, () -> new ConfigException(List.of()));
    }
}
