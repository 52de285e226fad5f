package io.remora.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Header fields as they were on the wire, in order; names compared case-insensitively. */
public final class Headers {
    private final List<String[]> fields = new ArrayList<>();

    void add(String name, String value) {
        fields.add(new String[] {name, value});
    }

    /** The first value of {@code name}, or {@code null}. */
    public String get(String name) {
        for (String[] f : fields) {
            if (f[0].equalsIgnoreCase(name)) {
                return f[1];
            }
        }
        return null;
    }

    public List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (String[] f : fields) {
            if (f[0].equalsIgnoreCase(name)) {
                out.add(f[1]);
            }
        }
        return out;
    }

    public boolean has(String name) {
        return get(name) != null;
    }

    /** Lower-case names, in order (duplicates kept). */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (String[] f : fields) {
            out.add(f[0].toLowerCase(Locale.ROOT));
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (String[] f : fields) {
            b.append(f[0]).append(": ").append(f[1]).append('\n');
        }
        return b.toString();
    }
}
