package io.remora.core.metrics;

/**
 * A small streaming JSON writer for the admin API and the access log: objects, arrays, names and scalar values,
 * with commas and (optionally) indentation handled here. Not thread-safe; one per document.
 */
public final class JsonWriter {
    private static final int MAX_DEPTH = 64;

    private final StringBuilder out;
    private final boolean pretty;
    /** Per open container: whether it has a member yet (so the next one needs a comma). */
    private final boolean[] hasMember = new boolean[MAX_DEPTH];
    private int depth;
    /** A name was just written: the next value follows it on the same line, without a comma. */
    private boolean afterName;

    /** A compact writer (one line), for access-log lines. */
    public JsonWriter(StringBuilder out) {
        this(out, false);
    }

    /** @param pretty two-space indentation, one member per line (for people reading the admin API) */
    public JsonWriter(StringBuilder out, boolean pretty) {
        this.out = out;
        this.pretty = pretty;
    }

    /** A pretty writer on a new buffer. */
    public static JsonWriter pretty() {
        return new JsonWriter(new StringBuilder(1024), true);
    }

    public JsonWriter beginObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    /** The name of the next member of the current object. */
    public JsonWriter name(String name) {
        beforeValue();
        quote(out, name);
        out.append(pretty ? ": " : ":");
        afterName = true;
        return this;
    }

    public JsonWriter value(String s) {
        beforeValue();
        if (s == null) {
            out.append("null");
        } else {
            quote(out, s);
        }
        return this;
    }

    public JsonWriter value(long n) {
        beforeValue();
        out.append(n);
        return this;
    }

    /** A number; NaN and infinities, which JSON cannot carry, are written as {@code null}. */
    public JsonWriter value(double d) {
        beforeValue();
        if (Double.isFinite(d)) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                out.append((long) d);
            } else {
                out.append(d);
            }
        } else {
            out.append("null");
        }
        return this;
    }

    public JsonWriter value(boolean b) {
        beforeValue();
        out.append(b);
        return this;
    }

    public JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** Shorthands for one member. */
    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, double value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    public StringBuilder buffer() {
        return out;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private JsonWriter open(char c) {
        beforeValue();
        out.append(c);
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
        }
        hasMember[depth++] = false;
        return this;
    }

    private JsonWriter close(char c) {
        if (depth == 0) {
            throw new IllegalStateException("no open JSON container to close with " + c);
        }
        boolean any = hasMember[--depth];
        if (pretty && any) {
            newline();
        }
        out.append(c);
        return this;
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            if (hasMember[depth - 1]) {
                out.append(',');
            }
            hasMember[depth - 1] = true;
            if (pretty) {
                newline();
            }
        }
    }

    private void newline() {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append("  ");
        }
    }

    /** Appends {@code s} as a JSON string: quoted, with quotes, backslashes and control characters escaped. */
    public static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        // control characters must be escaped; U+2028/9 too, so a line stays one line for any reader
                        out.append("\\u").append(Character.forDigit(c >> 12 & 0xF, 16))
                                .append(Character.forDigit(c >> 8 & 0xF, 16))
                                .append(Character.forDigit(c >> 4 & 0xF, 16))
                                .append(Character.forDigit(c & 0xF, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
