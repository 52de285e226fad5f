package io.remora.config.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ValidationErrorTest {

    @Test
    void toStringIsPathColonMessage() {
        assertEquals("clusters[0].name: missing", new ValidationError("clusters[0].name", "missing").toString());
    }

    @Test
    void emptyPathIsJustTheMessage() {
        assertEquals("the config is empty", new ValidationError("", "the config is empty").toString());
    }

    @Test
    void forValueQuotesStringsButNotNumbers() {
        assertEquals("a: \"x\": bad", ValidationError.forValue("a", "x", "bad").toString());
        assertEquals("a: 5: bad", ValidationError.forValue("a", 5, "bad").toString());
    }

    @Test
    void quoteKeepsInvisibleCharactersVisible() {
        assertEquals("\"\"", ValidationError.quote(""));
        assertEquals("\"a \\\"b\\\" \\\\ c\"", ValidationError.quote("a \"b\" \\ c"));
        assertEquals("\"\\n\\r\\t\\u0000\\u007f\"", ValidationError.quote("\n\r\t\u0000\u007f"));
        assertEquals("null", ValidationError.quote(null));
    }

    @Test
    void nullsAreRefused() {
        assertThrows(NullPointerException.class, () -> new ValidationError(null, "m"));
        assertThrows(NullPointerException.class, () -> new ValidationError("p", null));
    }
}
