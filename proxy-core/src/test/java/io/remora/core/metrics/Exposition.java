package io.remora.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict reader of the Prometheus text format 0.0.4 for tests: parses every line, checks the rules Remora
 * promises (HELP and TYPE once per family, before and next to its samples; counters end in {@code _total};
 * labels from the bounded set; histogram buckets cumulative and ending with +Inf equal to {@code _count}), and
 * gives the samples for lookups.
 */
public final class Exposition {
    static final Set<String> ALLOWED_LABELS = Set.of("listener", "cluster", "host", "code_class", "flag", "reason",
            "result", "limit", "grpc_status", "le");

    /** One sample line: name, labels in order, value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    final Map<String, String> types = new LinkedHashMap<>();
    final Map<String, String> helps = new LinkedHashMap<>();
    final List<Sample> samples = new ArrayList<>();

    public static Exposition parse(String text) {
        Exposition e = new Exposition();
        assertTrue(text.endsWith("\n"), "the exposition ends with a line feed");
        String family = null;
        Set<String> closed = new HashSet<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String rest = line.substring(7);
                String name = rest.substring(0, rest.indexOf(' '));
                if (family != null) {
                    closed.add(family);
                }
                assertTrue(!closed.contains(name) && !e.helps.containsKey(name), "HELP twice for " + name);
                e.helps.put(name, rest.substring(name.length() + 1));
                family = name;
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                assertEquals(2, parts.length, line);
                assertEquals(family, parts[0], "TYPE right after the HELP of the same family: " + line);
                assertTrue(Set.of("counter", "gauge", "histogram").contains(parts[1]), line);
                assertTrue(!e.types.containsKey(parts[0]), "TYPE twice for " + parts[0]);
                e.types.put(parts[0], parts[1]);
                continue;
            }
            assertTrue(!line.startsWith("#"), "unexpected comment: " + line);
            Sample s = parseSample(line);
            assertTrue(family != null && e.types.containsKey(family), "sample before any TYPE: " + line);
            String type = e.types.get(family);
            if (type.equals("histogram")) {
                assertTrue(s.name().equals(family + "_bucket") || s.name().equals(family + "_sum")
                        || s.name().equals(family + "_count"), "sample " + s.name() + " outside family " + family);
            } else {
                assertEquals(family, s.name(), "samples of a family are together, after its TYPE");
            }
            for (String label : s.labels().keySet()) {
                assertTrue(ALLOWED_LABELS.contains(label), "label " + label + " of " + s.name() + " is not allowed");
            }
            e.samples.add(s);
        }
        for (Map.Entry<String, String> t : e.types.entrySet()) {
            assertTrue(t.getKey().startsWith("remora_"), t.getKey());
            assertTrue(t.getKey().matches("[a-z_][a-z0-9_]*"), t.getKey());
            if (t.getValue().equals("counter")) {
                assertTrue(t.getKey().endsWith("_total"), "counter without _total: " + t.getKey());
            } else {
                assertTrue(!t.getKey().endsWith("_total"), "non-counter with _total: " + t.getKey());
            }
            if (t.getValue().equals("histogram")) {
                assertTrue(t.getKey().endsWith("_seconds"), "histograms are in seconds: " + t.getKey());
                e.checkHistogram(t.getKey());
            }
        }
        return e;
    }

    /** Buckets ascend in {@code le}, counts never decrease, +Inf is last and equals {@code _count}. */
    private void checkHistogram(String family) {
        Map<String, List<Sample>> bySeries = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (s.name().equals(family + "_bucket")) {
                Map<String, String> key = new LinkedHashMap<>(s.labels());
                key.remove("le");
                bySeries.computeIfAbsent(key.toString(), k -> new ArrayList<>()).add(s);
            }
        }
        for (Map.Entry<String, List<Sample>> series : bySeries.entrySet()) {
            double lastLe = Double.NEGATIVE_INFINITY;
            double lastCount = 0;
            for (Sample b : series.getValue()) {
                double le = b.labels().get("le").equals("+Inf") ? Double.POSITIVE_INFINITY
                        : Double.parseDouble(b.labels().get("le"));
                assertTrue(le > lastLe, "le ascends in " + family + series.getKey());
                assertTrue(b.value() >= lastCount, "buckets are cumulative in " + family + series.getKey());
                lastLe = le;
                lastCount = b.value();
            }
            assertEquals(Double.POSITIVE_INFINITY, lastLe, "+Inf bucket last in " + family);
            Map<String, String> labels = new LinkedHashMap<>(series.getValue().get(0).labels());
            labels.remove("le");
            assertEquals(lastCount, value(family + "_count", labels), "+Inf equals _count in " + family);
        }
    }

    static Sample parseSample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                assertEquals('"', line.charAt(eq + 1), line);
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        switch (n) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> fail("bad escape \\" + n + " in " + line);
                        }
                    } else {
                        v.append(c);
                    }
                    j++;
                }
                labels.put(label, v.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        assertEquals(' ', line.charAt(i), "one space before the value: " + line);
        String value = line.substring(i + 1);
        double d = switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(value);
        };
        return new Sample(name, labels, d);
    }

    /** The value of the one sample with exactly these labels; fails if there is none. */
    double value(String name, Map<String, String> labels) {
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().equals(labels)) {
                return s.value();
            }
        }
        throw new AssertionError("no sample " + name + labels);
    }

    /** {@code value(name, {k1: v1, k2: v2, ...})}. */
    public double value(String name, String... labelPairs) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        return value(name, labels);
    }
}
