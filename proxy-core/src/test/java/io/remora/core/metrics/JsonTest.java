package io.remora.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.remora.core.admin.JsonReader;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link JsonWriter} and {@link JsonReader} against exact text, and against each other. */
class JsonTest {

    @Test
    void compactOutputIsExact() {
        JsonWriter w = new JsonWriter(new StringBuilder());
        w.beginObject().field("a", 1).field("b", "x").name("c").beginArray().value(true).nullValue().value(2.5)
                .endArray().name("d").beginObject().endObject().name("e").beginArray().endArray().endObject();
        assertEquals("{\"a\":1,\"b\":\"x\",\"c\":[true,null,2.5],\"d\":{},\"e\":[]}", w.toString());
    }

    @Test
    void prettyOutputIndentsTwoSpaces() {
        JsonWriter w = JsonWriter.pretty();
        w.beginObject().field("a", 1).name("b").beginArray().value("x").endArray().endObject();
        assertEquals("{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}", w.toString());
    }

    @Test
    void stringsAreEscaped() {
        StringBuilder sb = new StringBuilder();
        JsonWriter.quote(sb, "q\" b\\ n\n r\r t\t c\u0001 ls\u2028 é");
        assertEquals("\"q\\\" b\\\\ n\\n r\\r t\\t c\\u0001 ls\\u2028 é\"", sb.toString());
    }

    @Test
    void nonFiniteNumbersAreNull() {
        JsonWriter w = new JsonWriter(new StringBuilder());
        w.beginArray().value(Double.NaN).value(Double.POSITIVE_INFINITY).value(3.0).endArray();
        assertEquals("[null,null,3]", w.toString());
    }

    @Test
    void whatTheWriterWritesTheReaderReads() {
        JsonWriter w = JsonWriter.pretty();
        w.beginObject().field("s", "a\"\\\n\u0001\u2028é").field("n", -42).field("d", 0.125).field("t", true)
                .name("z").nullValue().name("l").beginArray().value(1).value("two").endArray().endObject();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "a\"\\\n\u0001\u2028é");
        expected.put("n", -42L);
        expected.put("d", 0.125);
        expected.put("t", true);
        expected.put("z", null);
        expected.put("l", List.of(1L, "two"));
        assertEquals(expected, JsonReader.parse(w.toString()));
    }

    @Test
    void readerAcceptsStandardEscapesAndExponents() {
        assertEquals(Arrays.asList("/\b\f", 1e3, -0.5, 0L), JsonReader.parse(" [\"\\/\\b\\f\", 1e3, -0.5, 0] "));
    }

    @Test
    void readerRefusesMalformedInput() {
        for (String bad : List.of("{", "[1,]", "{\"a\" 1}", "tru", "\"a", "[1] x", "{\"a\":\"\u0001\"}", "")) {
            assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
        }
    }
}
