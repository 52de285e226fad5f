package io.remora.core.admin;

import io.remora.config.load.Durations;
import io.remora.config.model.HostPort;
import io.remora.core.metrics.JsonWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renders the config records as JSON, generically, in the config file's own spelling: component names in
 * snake_case ({@code idleTimeout} → {@code idle_timeout}), durations as {@code 250ms}/{@code 2s}, enums by their
 * {@code configName()}, addresses as {@code host:port}. Map keys and set elements are sorted, so the rendering of a
 * config is canonical (its hash does not depend on iteration order). A record added to the model later is
 * rendered without changes here.
 */
final class ConfigJson {
    private ConfigJson() {
    }

    static void write(JsonWriter w, Object value) {
        if (value == null) {
            w.nullValue();
        } else if (value instanceof String s) {
            w.value(s);
        } else if (value instanceof Boolean b) {
            w.value(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            w.value(((Number) value).longValue());
        } else if (value instanceof Number n) {
            w.value(n.doubleValue());
        } else if (value instanceof Duration d) {
            w.value(Durations.format(d));
        } else if (value instanceof HostPort hp) {
            w.value(hp.toString());
        } else if (value instanceof Enum<?> e) {
            w.value(spelling(e));
        } else if (value instanceof Record r) {
            w.beginObject();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                w.name(snakeCase(c.getName()));
                write(w, get(c, r));
            }
            w.endObject();
        } else if (value instanceof Map<?, ?> m) {
            Map<String, Object> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            w.beginObject();
            sorted.forEach((k, v) -> {
                w.name(k);
                write(w, v);
            });
            w.endObject();
        } else if (value instanceof Collection<?> c) {
            List<?> items = new ArrayList<>(c);
            if (c instanceof Set<?>) {
                List<Object> sorted = new ArrayList<>(c);
                sorted.sort((a, b) -> render(a).compareTo(render(b)));
                items = sorted;
            }
            w.beginArray();
            for (Object o : items) {
                write(w, o);
            }
            w.endArray();
        } else {
            w.value(value.toString());
        }
    }

    private static String render(Object o) {
        JsonWriter w = new JsonWriter(new StringBuilder());
        write(w, o);
        return w.toString();
    }

    private static Object get(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + r.getClass().getSimpleName() + "." + c.getName(), e);
        }
    }

    /** {@code configName()} when the enum has one (the config spelling), else its name in lower case. */
    private static String spelling(Enum<?> e) {
        try {
            Method m = e.getDeclaringClass().getMethod("configName");
            return String.valueOf(m.invoke(e));
        } catch (ReflectiveOperationException ex) {
            return e.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static String snakeCase(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                sb.append('_').append(Character.toLowerCase(c));
            } else if (Character.isDigit(c) && i > 0 && !Character.isDigit(camel.charAt(i - 1))) {
                sb.append('_').append(c); // consecutive5xx → consecutive_5xx
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
